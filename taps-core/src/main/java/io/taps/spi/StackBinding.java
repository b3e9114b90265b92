package io.taps.spi;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * One stack's share of a Listener (RFC 9622 §7.2, RFC 9623 §4.7), given to
 * {@link ProtocolStack#listen(StackBinding)}. Implemented by taps. Every flow the stack accepts is
 * {@link #attach attached}, and becomes a ConnectionReceived once ready; the Listener's
 * new-connection limit and concurrency cap are applied by taps.
 */
public interface StackBinding extends StackContext {

    /**
     * The local addresses to bind. When several stacks listen, the first binds the resolved
     * LocalEndpoints and the others get the port numbers it bound (so a client racing either stack
     * reaches the same port number).
     */
    List<InetSocketAddress> addresses();

    /** The event loops to run the sockets and accepted flows on. */
    EventLoopGroup group();

    /**
     * The server TLS context built from the Listener's SecurityParameters (RFC 9622 §6.3) as they are
     * now. A stack reads it when it binds; when the Listener's parameters are replaced later, the
     * stack gets them through {@link StackListener#prepareSecurityUpdate}.
     */
    SslContext tlsServerContext();

    /**
     * How long an accepted flow may take to become ready (its handshake and framers): the
     * Listener's connTimeout, else 10 s.
     */
    Duration handshakeTimeout();

    /** Whether a new flow may become a Connection right now (not stopping, limit and cap not reached). */
    boolean mayAccept();

    /** Reports that every address is bound, with the addresses as bound (ports chosen). */
    void bound(List<InetSocketAddress> addresses);

    /** Reports that binding failed (a ListenError, RFC 9622 §7.2); the stack has closed what it bound. */
    void fail(Throwable cause);

    /**
     * Reports that a bound socket could not accept a flow (accept() failed, e.g. EMFILE) and that
     * the stack keeps listening and retries; the Listener raises AcceptFailed. Report the first
     * failure of an episode, not every retry.
     */
    void acceptFailed(Throwable cause);
}

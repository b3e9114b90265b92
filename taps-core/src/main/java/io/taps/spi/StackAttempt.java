package io.taps.spi;

import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One establishment attempt given to {@link ProtocolStack#connect(StackAttempt)}: one leaf of the
 * candidate tree (RFC 9623 §4.1: a local path, this stack, one resolved remote address) that the
 * racer started (§4.4.1). Implemented by taps. The stack opens its channel on {@link #eventLoop()},
 * then {@link #attach attaches} it; a stack that cannot even start calls {@link #fail}. The attempt
 * is decided once: whatever the stack reports after a cancellation or a decision is ignored.
 */
public interface StackAttempt extends StackContext {

    /** The event loop the attempt and its Connection run on; open the channel here. */
    EventLoop eventLoop();

    /** The resolved remote address to connect to; for a claimed Preconnection (see {@link ProtocolStack#claims}) the first RemoteEndpoint's address, or null when it has none. */
    InetSocketAddress remote();

    /**
     * Where the stack connects its socket: the proxy's resolved address on a leaf that goes through
     * a proxy (see {@link ProtocolStack#tunnelsThroughProxies()}), else {@link #remote()}. On a proxy
     * leaf {@link #remote()} is the destination the proxy connects to, unresolved when the proxy
     * resolves names; TLS still verifies {@link #peerName()}.
     */
    default InetSocketAddress firstHop() {
        return remote();
    }

    /** The local address to bind, or null to let the system choose (RFC 9623 §4.1.1 local path). */
    InetSocketAddress local();

    /**
     * The name TLS verifies and sends as SNI (RFC 9622 §6.3): the RemoteEndpoint's host name, else
     * the address literal.
     */
    String peerName();

    /** How long the attempt may take before it fails with a timeout (connTimeout, RFC 9622 §8.1.3). */
    Duration timeout();

    /**
     * The bytes of a safelyReplayable InitiateWithSend Message (RFC 9622 §9.1.3.4, §7.1) that a
     * stack able to send 0-RTT data may send as early data (a read-only view); a stack that does
     * calls {@link #sentEarly()}.
     */
    Optional<ByteBuffer> earlyData();

    /** Records that the {@link #earlyData()} went out as 0-RTT early data, so taps does not send it again. */
    void sentEarly();

    /**
     * The client TLS context for TLS over this attempt (RFC 9622 §6.3), from the Connection's cache
     * scope, so that session resumption honours isolateSession (RFC 9622 §8.1.10, RFC 9623 §9.1).
     * When no context exists yet (the first of a configuration or of an isolated scope, one per
     * attempt under {@code maxCachedSessions(0)}) this builds one, which reads key material and
     * trust anchors and blocks: on the event loop use {@link #prepareTlsClientContext()} instead.
     */
    SslContext tlsClientContext();

    /**
     * The context of {@link #tlsClientContext()} without blocking: completed at once when it exists,
     * otherwise built on taps' executor for blocking work; it may complete on any thread, so continue
     * on {@link #eventLoop()}. It fails with InvalidConfiguration when no context can be built.
     */
    CompletionStage<SslContext> prepareTlsClientContext();

    /** Runs {@code closer} when the attempt loses the race or is cancelled (frees what attach does not know). */
    void onCancel(Runnable closer);

    /**
     * Fails the attempt with {@code cause}; taps turns it into a typed error naming the stack and
     * the remote address (timeout, refused, TLS failure) for the EstablishmentReport.
     */
    void fail(Throwable cause);
}

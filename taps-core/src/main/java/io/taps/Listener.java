package io.taps;

import io.taps.security.SecurityParameters;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A Listener: waits for Connections from remote endpoints on a local endpoint (RFC 9622 §7.2,
 * checklist O-06, A-11, M-29..M-31).
 *
 * <p>Stopping a Listener never affects the Connections it already delivered.
 *
 * <p>Two styles: a Listener started with a {@link ListenerEventHandler} delivers each Connection
 * as ConnectionReceived (RFC 9622 §7.2); one started with {@code Preconnection.listen()} and no
 * handler queues them for {@link #accept()} and {@link #connections()} instead.
 */
public interface Listener extends AutoCloseable {

    /** Completes when the Listener is bound and accepting, exceptionally on a ListenError (E-04). */
    CompletionStage<Listener> ready();

    /** The bound local addresses; empty until {@link #ready()} completes. */
    List<InetSocketAddress> localAddresses();

    /** The bound port (the first address's), for ephemeral-port listeners; -1 until bound. */
    int port();

    /**
     * The protocol stacks this Listener listens on, joined by {@code " + "} in rank order, for
     * example {@code "TCP"}, {@code "UDP"} or {@code "QUIC + TLS/TCP"}; see {@link #protocolStacks()}.
     */
    String protocolStack();

    /**
     * The names of the protocol stacks this Listener listens on, best ranked first (RFC 9622 §7.2:
     * a Listener accepts Connections over every protocol stack its Transport Properties allow;
     * design.md Q-15). Every eligible stack listens, except that only the best ranked of stacks
     * sharing a port space (two TCP-based stacks, say) can take the port; all listen on the same
     * port number.
     */
    default List<String> protocolStacks() {
        return List.of(protocolStack());
    }

    /**
     * Accept (a convenience over ConnectionReceived, RFC 9622 §7.2): the next Connection this
     * Listener receives, oldest first, for a Listener started with {@code Preconnection.listen()}
     * and no handler. Connections received before anyone accepts wait in a short queue (16); while
     * it is full the Listener stops accepting, so clients wait in the kernel's listen backlog, just as
     * when {@link #setNewConnectionLimit} is 0. The new-connection limit and
     * {@code _taps.maxConcurrentConnections} apply as in the handler style. Fails with
     * ConnectionClosed once the Listener stopped and the queue is empty, with the ListenError if it
     * could not listen, and with InvalidConfiguration on a Listener that has a handler.
     */
    CompletionStage<Connection> accept();

    /**
     * The Connections of this Listener as a {@link Flow.Publisher}, taking from the same queue as
     * {@link #accept()} (a pending accept() is served first), one subscriber at a time. Completes
     * when the Listener stops, fails on a ListenError; onError(InvalidConfiguration) on a Listener
     * that has a handler.
     */
    Flow.Publisher<Connection> connections();

    /**
     * SetNewConnectionLimit (§7.2, A-11): how many more Connections may be delivered; every
     * ConnectionReceived counts it down and delivery pauses at 0 until it is raised.
     * {@link Long#MAX_VALUE} means unlimited (the default).
     */
    void setNewConnectionLimit(long limit);

    /** The remaining new-connection count. */
    long newConnectionLimit();

    /**
     * Replaces the Security Parameters (RFC 9622 §6.3) that Connections accepted from now on are
     * secured with, for example with a renewed certificate, without stopping the Listener (RFC 9622
     * §7.2 fixes them at Listen; replacing them later is a taps extension). Connections already
     * accepted are unaffected: they keep the parameters and the handshake they were established with,
     * and so do new streams of an already accepted QUIC connection (new Connections of its group).
     *
     * <p>Every protocol stack the Listener listens on gets the new parameters, or none does: the new
     * TLS contexts are built first, off the event loops (on the calling thread, or on the Transport
     * Services system's thread for blocking work when that would be an event loop), and swapped in only
     * when every stack accepted them. The stage completes once new Connections get them.
     *
     * <p>The security level and the allowed TLS versions cannot change: they decided which protocol
     * stacks listen (RFC 9622 §6.3, design.md Q-17). Stop the Listener and Listen again for that.
     *
     * @param security the Security Parameters for Connections accepted from now on
     * @return completes when they are in use; fails with a {@link TransportServicesException}
     *     ({@link ErrorReason#INVALID_CONFIGURATION}) when a stack cannot use them (no server
     *     identity, QUIC without ALPN, a different level or TLS versions), leaving the old ones in
     *     use; with the Listener's ListenError when it never became ready; with
     *     {@link ErrorReason#LISTEN_FAILED} when it is stopping or stopped
     */
    CompletionStage<Void> updateSecurity(SecurityParameters security);

    /**
     * The accept backlog in effect for this Listener's stream sockets (TCP, TLS/TCP): the
     * {@code _taps.listenBacklog} asked for, as the kernel clamps it (to {@code net.core.somaxconn}
     * on Linux, which is also the value when none was asked for). Empty before {@link #ready()},
     * and for Listeners without an accept queue (UDP, QUIC).
     */
    default OptionalInt listenBacklog() {
        return OptionalInt.empty();
    }

    /** Stop (§7.2): stops accepting; Stopped follows. Delivered Connections stay open. */
    CompletionStage<Void> stop();

    /**
     * Same as {@link #stop()}, waiting (bounded) for it to finish; called on a taps event loop or
     * inside this Listener's own event handler, where waiting would hold up the stop itself, it
     * returns at once (Stopped follows as usual).
     */
    @Override
    void close();
}

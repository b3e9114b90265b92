package io.taps;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

/**
 * A Listener: waits for Connections from remote endpoints on a local endpoint (RFC 9622 §7.2,
 * checklist O-06, A-11, M-29..M-31).
 *
 * <p>Stopping a Listener never affects the Connections it already delivered.
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
     * SetNewConnectionLimit (§7.2, A-11): how many more Connections may be delivered; every
     * ConnectionReceived counts it down and delivery pauses at 0 until it is raised.
     * {@link Long#MAX_VALUE} means unlimited (the default).
     */
    void setNewConnectionLimit(long limit);

    /** The remaining new-connection count. */
    long newConnectionLimit();

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

    /** Same as {@link #stop()}, waiting (bounded) for it to finish. */
    @Override
    void close();
}

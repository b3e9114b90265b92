package io.taps.internal.group;

/**
 * What a won protocol stack offers to make another Connection of the same group (RFC 9622 §7.4,
 * design.md Q-16): the seam between Clone and the stacks. The establisher that adopts a winner
 * hands one to the Connection ({@code cloneable} on the connection); a Connection without one (a
 * Connection a Listener accepted, a multicast receiver) cannot be cloned and its clones fail with
 * NotCloneable.
 *
 * <p>TCP, TLS/TCP and UDP open a new transport connection to the winner's address with the
 * winner's stack and security ({@code io.taps.internal.stack.ChannelCloneSupport}). A multistream
 * stack (QUIC) opens a new stream of the same connection and reports {@link #multiplexed()}.
 */
public interface CloneSupport {

    /** Whether clones share this stack's transport connection (QUIC streams) instead of opening their own. */
    boolean multiplexed();

    /**
     * Opens the transport of {@link CloneRequest#cloned()}; called on the clone's event loop (the
     * original's) once the original is Ready. The implementation must register a canceller with
     * {@code clone.onEstablishmentCancel} (and start nothing when it returns false), then either
     * adopt the new transport with {@code clone.establish(link, stack)} or call
     * {@link CloneRequest#failed}. It must not call {@code failed} after the clone was closed or
     * aborted by the application (its state is then Closed).
     */
    void open(CloneRequest request);
}

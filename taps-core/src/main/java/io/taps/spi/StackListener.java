package io.taps.spi;

/**
 * The sockets a {@link ProtocolStack} listens on for one Listener (RFC 9622 §7.2), as returned by
 * {@link ProtocolStack#listen(StackBinding)}. The Listener calls it from any thread.
 */
public interface StackListener {

    /**
     * Pauses ({@code false}) or resumes accepting new flows, when the Listener's new-connection
     * limit or concurrency cap is reached (RFC 9622 §7.2 SetNewConnectionLimit). A stack that
     * cannot hold flows back (a shared UDP socket) may ignore it: the Listener then holds or drops
     * what it accepts, as {@link StackBinding#mayAccept()} says.
     */
    void setAccepting(boolean accept);

    /**
     * The accept backlog (SO_BACKLOG) the listening sockets were given, as in effect after the
     * kernel's clamp, for {@code Listener.listenBacklog()}; empty for sockets without an accept
     * queue (datagram sockets).
     */
    default java.util.OptionalInt listenBacklog() {
        return java.util.OptionalInt.empty();
    }

    /**
     * Closes the listening sockets (RFC 9622 §7.2 Stop) and runs {@code whenClosed} once they are
     * closed. Whether the Connections already accepted outlive the sockets is the stack's nature
     * (TCP: yes; QUIC: the sockets carry them, so they close too).
     */
    void close(Runnable whenClosed);
}

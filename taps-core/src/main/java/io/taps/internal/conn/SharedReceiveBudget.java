package io.taps.internal.conn;

/**
 * Memory of received, not yet delivered data that several Connections share: the passive datagram
 * Connections of one UDP Listener socket. Each of them is bounded on its own too, but a flood from
 * many (spoofed) source addresses creates many of them; this bounds their sum. Confined to the
 * one event loop those Connections and their socket run on.
 */
public final class SharedReceiveBudget {
    private final long limit;
    private long used;

    public SharedReceiveBudget(long limit) {
        this.limit = limit;
    }

    /** Whether {@code bytes} more still fit. */
    boolean fits(long bytes) {
        return used + bytes <= limit;
    }

    void charge(long delta) {
        used += delta;
    }

    /** Memory the sharing queues hold now, in bytes. */
    public long used() {
        return used;
    }

    public long limit() {
        return limit;
    }
}

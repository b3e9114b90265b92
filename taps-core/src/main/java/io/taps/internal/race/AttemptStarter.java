package io.taps.internal.race;

import io.taps.internal.gather.Leaf;

/**
 * Starts one connection attempt for a leaf (RFC 9623 §4.3). Production opens a Netty channel with
 * {@code StackConnector}; tests use fake attempts they complete by hand.
 *
 * @param <H> the running attempt
 */
@FunctionalInterface
public interface AttemptStarter<H extends AttemptStarter.Running> {
    /**
     * Starts {@code leaf}. The attempt reports through {@code callbacks} exactly once, on the race's
     * thread; it may do so before this method returns.
     */
    H start(Leaf leaf, Callbacks callbacks);

    /** A running attempt. */
    interface Running {
        /** Stops the attempt and frees what it holds; no callback is needed afterwards. */
        void cancel();

        /** Whether the attempt sent application data before it was ready (0-RTT, M-45). */
        default boolean sentEarlyData() {
            return false;
        }
    }

    /** How an attempt reports its outcome. */
    interface Callbacks {
        /** The whole stack is ready (M-25). */
        void succeeded();

        /** The attempt failed. */
        void failed(Throwable cause);
    }
}

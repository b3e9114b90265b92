package io.taps.internal.race;

/**
 * Time and timers of a race (RFC 9623 §4.3). Production binds it to the connection's Netty event
 * loop; tests use a virtual clock. Every callback runs on the race's one thread.
 */
public interface RaceClock {
    /** Monotonic time in nanoseconds. */
    long nanoTime();

    /** Runs {@code task} after {@code delayNanos}; the returned handle cancels it. */
    Timer schedule(Runnable task, long delayNanos);

    /** A scheduled task. */
    interface Timer {
        /** Cancels the task if it has not run. */
        void cancel();
    }
}

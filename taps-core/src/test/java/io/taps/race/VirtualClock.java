package io.taps.race;

import io.taps.internal.race.RaceClock;
import java.time.Duration;
import java.util.PriorityQueue;

/** A {@link RaceClock} in virtual time: nothing runs until {@link #advance} moves the clock. */
final class VirtualClock implements RaceClock {
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now = 1_000_000_000L;
    private long sequence;

    private final class Task implements Comparable<Task>, Timer {
        final long due;
        final long order = sequence++;
        final Runnable body;
        boolean cancelled;

        Task(long due, Runnable body) {
            this.due = due;
            this.body = body;
        }

        @Override
        public int compareTo(Task other) {
            return due != other.due ? Long.compare(due, other.due) : Long.compare(order, other.order);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public Timer schedule(Runnable task, long delayNanos) {
        Task t = new Task(now + Math.max(0, delayNanos), task);
        tasks.add(t);
        return t;
    }

    /** Runs every task due within {@code step}, in due order, moving the clock to each. */
    void advance(Duration step) {
        long end = now + step.toNanos();
        while (!tasks.isEmpty() && tasks.peek().due <= end) {
            Task t = tasks.poll();
            if (t.cancelled) {
                continue;
            }
            now = t.due;
            t.body.run();
        }
        now = end;
    }

    void advanceMillis(long millis) {
        advance(Duration.ofMillis(millis));
    }

    /** Live (not cancelled) timers. */
    long pendingTimers() {
        return tasks.stream().filter(t -> !t.cancelled).count();
    }
}

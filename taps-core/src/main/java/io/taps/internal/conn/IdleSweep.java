package io.taps.internal.conn;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one scheduled task that samples every Connection of an event loop with the same idle
 * timeout ({@link IdleTimer}): thousands of accepted Connections with the Listen default (5 minutes) share one task
 * instead of keeping one scheduled task each (~64 B of Netty's task per idle Connection, issue 21
 * item 4). The Connections are an intrusive list (fields of theirs), so joining and leaving cost O(1) and no allocation.
 *
 * <p>A tick comes every {@code timeout / samples}, where samples is 4, or fewer for timeouts under
 * 40 ms so that ticks stay 10 ms or more apart; a timer expires at the tick that finds it quiet for
 * {@code samples} ticks in a row. A tick samples at most {@value #BATCH} timers and queues the rest
 * behind the event loop's other work, so no tick holds the loop for long however many Connections
 * the loop carries. Everything runs on the one event loop: the registry is a thread-local of it.
 */
final class IdleSweep implements Runnable {
    /** Samples per timeout: the precision of the expiry (a quarter of the timeout). */
    static final int SAMPLES = 4;
    private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Timers sampled before the tick yields the event loop to other work. */
    static final int BATCH = 1024;
    /**
     * The event loop's sweeps, one per idle timeout in use; the loop's thread only, so the loop is
     * implied. A list searched by timeout, not a map: a loop has a handful of timeouts at most, and
     * a map's key cost every adopted Connection an object (issue 21 figure 12).
     */
    private static final FastThreadLocal<List<IdleSweep>> SWEEPS = new FastThreadLocal<>() {
        @Override
        protected List<IdleSweep> initialValue() {
            return new ArrayList<>(4);
        }
    };

    private final EventLoop loop;
    private final long timeoutNanos;
    final int samples;
    private final long tickNanos;
    /** The first Connection of the list, linked through its {@code idlePrevious} and {@code idleNext}. */
    private TapsConnection head;
    /** The next Connection of the tick under way, or null between ticks. */
    private TapsConnection cursor;
    private boolean tickUnderWay;
    private boolean scheduled;

    private IdleSweep(EventLoop loop, long timeoutNanos) {
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
        this.samples = (int) Math.max(1, Math.min(SAMPLES, timeoutNanos / MIN_TICK_NANOS));
        this.tickNanos = Math.max(1, timeoutNanos / samples);
    }

    /** The sweep of {@code loop} for {@code timeoutNanos}, made when first needed; on that loop. */
    static IdleSweep of(EventLoop loop, long timeoutNanos) {
        assert loop.inEventLoop() : "the registry is the loop thread's";
        List<IdleSweep> sweeps = SWEEPS.get();
        IdleSweep sweep = find(sweeps, timeoutNanos);
        if (sweep == null) {
            sweep = new IdleSweep(loop, timeoutNanos);
            sweeps.add(sweep);
        }
        return sweep;
    }

    /** Whether {@code loop} has a sweep for {@code timeoutNanos} now (for tests); on that loop. */
    static boolean registered(EventLoop loop, long timeoutNanos) {
        return SWEEPS.isSet() && find(SWEEPS.get(), timeoutNanos) != null;
    }

    private static IdleSweep find(List<IdleSweep> sweeps, long timeoutNanos) {
        for (int i = 0; i < sweeps.size(); i++) {
            IdleSweep sweep = sweeps.get(i);
            if (sweep.timeoutNanos == timeoutNanos) {
                return sweep;
            }
        }
        return null;
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    /** How many timers this sweep samples (for tests). */
    int size() {
        int count = 0;
        for (TapsConnection timer = head; timer != null; timer = timer.idleNext) {
            count++;
        }
        return count;
    }

    void add(TapsConnection timer) {
        timer.idlePrevious = null;
        timer.idleNext = head;
        if (head != null) {
            head.idlePrevious = timer;
        }
        head = timer;
        if (!scheduled) {
            scheduled = true;
            loop.schedule(this, tickNanos, TimeUnit.NANOSECONDS);
        }
    }

    void remove(TapsConnection timer) {
        if (cursor == timer) {
            cursor = timer.idleNext;
        }
        if (timer.idlePrevious != null) {
            timer.idlePrevious.idleNext = timer.idleNext;
        } else if (head == timer) {
            head = timer.idleNext;
        }
        if (timer.idleNext != null) {
            timer.idleNext.idlePrevious = timer.idlePrevious;
        }
        timer.idlePrevious = null;
        timer.idleNext = null;
    }

    /** A tick, or the rest of one that yielded the loop. */
    @Override
    public void run() {
        if (!tickUnderWay) {
            tickUnderWay = true;
            cursor = head;
        }
        for (int budget = BATCH; cursor != null && budget > 0; budget--) {
            TapsConnection timer = cursor;
            cursor = timer.idleNext;
            // May end the Connection, which removes it (and moves the cursor past it).
            IdleTimer.sample(timer);
        }
        if (cursor != null) {
            loop.execute(this);
            return;
        }
        tickUnderWay = false;
        if (head != null) {
            loop.schedule(this, tickNanos, TimeUnit.NANOSECONDS);
        } else {
            // Nobody left: the next timer with this timeout makes a new sweep.
            scheduled = false;
            SWEEPS.get().remove(this);
        }
    }
}

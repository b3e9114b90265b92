package io.taps.internal.conn;

import java.util.Arrays;

/**
 * The idle pooled objects of one event loop thread (see {@link SendPool}, {@link ReceivePool}): a
 * stack, so the one given back last is taken first (an echo's Receive takes the very one that just
 * delivered), holding at most its limit; beyond that an object given back is left to the garbage
 * collector, so a burst does not stay allocated. Its array grows with use, so a loop that never
 * pooled much keeps little. Used on its own thread only, so it takes no lock.
 */
final class IdleStack<T> {
    private static final Object[] EMPTY = {};
    private final int limit;
    private Object[] idle = EMPTY;
    private int size;

    IdleStack(int limit) {
        this.limit = limit;
    }

    /** The object given back last, or null when none waits. */
    @SuppressWarnings("unchecked")
    T poll() {
        if (size == 0) {
            return null;
        }
        T item = (T) idle[--size];
        idle[size] = null;
        return item;
    }

    /** Keeps {@code item} for the next {@link #poll}, unless the limit is reached. */
    void offer(T item) {
        if (size == idle.length) {
            if (size == limit) {
                return;
            }
            idle = Arrays.copyOf(idle, Math.min(limit, Math.max(4, size * 2)));
        }
        idle[size++] = item;
    }

    int size() {
        return size;
    }
}

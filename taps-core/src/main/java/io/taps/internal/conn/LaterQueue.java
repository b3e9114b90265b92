package io.taps.internal.conn;

import java.util.ArrayDeque;

/**
 * The tail of a Connection queue that keeps its head in a field of its own (SendPath's in-flight
 * Sends, ReceivePath's waiting Receives, InboundQueue's units): a request/response Connection never
 * has a second element, so the deque behind the head is made only for one (an ArrayDeque and its
 * array kept for the Connection's life were ~56 B per queue, issue 21 figure 12). A holder object
 * for head and tail would cost most of what the field saves, so the owners keep both fields and
 * share only this.
 */
final class LaterQueue {
    private LaterQueue() {
    }

    /** {@code later} with {@code element} added at its tail; made, with room for a few, when null. */
    static <T> ArrayDeque<T> add(ArrayDeque<T> later, T element) {
        ArrayDeque<T> queue = later == null ? new ArrayDeque<>(4) : later;
        queue.add(element);
        return queue;
    }
}

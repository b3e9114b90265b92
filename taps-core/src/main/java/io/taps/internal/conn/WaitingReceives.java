package io.taps.internal.conn;

import java.util.ArrayDeque;

/**
 * A Connection's outstanding Receive calls (RFC 9622 §9.3, A-21), oldest first: the oldest in a
 * field, the later ones in a deque made on first use (most Connections wait on one Receive at a
 * time, and a deque is ~56 B of each, issue 21 item 4).
 *
 * <p>A lone events-only Receive (receiveWithEvents) waits <em>parked</em>: its limits stay here and
 * its object goes back to the event loop thread's {@link ReceivePool} until data comes, when
 * {@link #firstRequest()} takes one from the pool again. An echoing Connection always has one
 * Receive waiting, and its object was 32 B of every such Connection (issue 21 figure 12). The two
 * limits are packed in one int ({@link #packed}), so ReceivePath stays at 80 B; a Receive whose
 * limits do not fit (a minimum above 32766, a maximum above 65534 other than unlimited) keeps its
 * object instead.
 *
 * <p>A layer of the Connection object, between {@link InboundQueue} and {@link ReceivePath}
 * (through which it is used; event loop only; see {@link TapsConnection}).
 */
abstract sealed class WaitingReceives extends InboundQueue permits ReceivePath {
    WaitingReceives(java.util.concurrent.Executor eventExecutor) {
        super(eventExecutor);
    }

    private ReceiveRequest firstRequest;
    private ArrayDeque<ReceiveRequest> laterRequests;
    /** The limits of the parked oldest Receive ({@link #packed}), or 0: none is parked. */
    private int parked;

    /** An events-only Receive with these limits (borrowing or not), the loop's pooled one when there is one. */
    abstract ReceiveRequest pooledRequest(int minIncompleteLength, int maxLength, boolean borrows);

    /** Gives a pooled Receive back to the loop's pool; false, keeping it, when not on the loop. */
    abstract boolean recycle(ReceiveRequest request);

    final void addRequest(ReceiveRequest request) {
        if (firstRequest == null && parked == 0) {
            firstRequest = request;
        } else {
            laterRequests = LaterQueue.add(laterRequests, request);
        }
    }

    /** The oldest waiting Receive, or null; a parked one gets its object back from the pool first. */
    final ReceiveRequest firstRequest() {
        int limits = parked;
        if (limits != 0) {
            parked = 0;
            firstRequest = pooledRequest(minOf(limits), maxOf(limits), borrowsOf(limits));
        }
        return firstRequest;
    }

    /** Whether a Receive waits, parked or not. */
    final boolean receiveWaits() {
        return firstRequest != null || parked != 0;
    }

    /** Takes the oldest waiting Receive out of the queue. */
    final ReceiveRequest pollRequest() {
        ReceiveRequest first = firstRequest();
        firstRequest = laterRequests == null ? null : laterRequests.poll();
        return first;
    }

    /** Parks the oldest waiting Receive if it is events-only and alone; called once delivery stops. */
    final void park() {
        ReceiveRequest waiting = firstRequest;
        if (waiting == null || !waiting.pooled() || laterRequests != null && !laterRequests.isEmpty()) {
            return;
        }
        int limits = packed(waiting.minIncompleteLength(), waiting.maxLength());
        if (limits != 0 && recycle(waiting)) {
            firstRequest = null;
            parked = waiting.borrows() ? limits | BORROWS : limits;
        }
    }

    /** The top bit of {@link #parked}: the parked Receive borrows (receiveBorrowedWithEvents). */
    private static final int BORROWS = 1 << 31;

    static boolean borrowsOf(int packed) {
        return (packed & BORROWS) != 0;
    }

    /**
     * {@code minIncompleteLength + 1} (-1 for unspecified, so 0 to 32767) in the high half, below
     * its top bit ({@link #BORROWS}), and {@code maxLength} (1 to 65534, 0xFFFF for unlimited) in
     * the low half: never 0, as maxLength is at least 1. 0 when the limits do not fit.
     */
    static int packed(int minIncompleteLength, int maxLength) {
        boolean maxFits = maxLength == Integer.MAX_VALUE || maxLength < 0xFFFF;
        if (minIncompleteLength < -1 || minIncompleteLength > Short.MAX_VALUE - 1 || !maxFits || maxLength < 1) {
            return 0;
        }
        return (minIncompleteLength + 1) << 16 | (maxLength == Integer.MAX_VALUE ? 0xFFFF : maxLength);
    }

    static int minOf(int packed) {
        return (packed >>> 16 & Short.MAX_VALUE) - 1;
    }

    static int maxOf(int packed) {
        int max = packed & 0xFFFF;
        return max == 0xFFFF ? Integer.MAX_VALUE : max;
    }
}

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
 * Receive waiting, and its object was 32 B of every such Connection (issue 21 figure 12); two ints
 * here cost nothing, as the limits fill room {@link ReceivePath} already had.
 *
 * <p>A superclass of {@link ReceivePath} (through which it is used; event loop only), as
 * {@link InboundQueue} is: one object per Connection for all of them.
 */
abstract class WaitingReceives extends InboundQueue {
    private ReceiveRequest firstRequest;
    private ArrayDeque<ReceiveRequest> laterRequests;
    /** The oldest Receive is parked: firstRequest is null and these are its limits. */
    private boolean parked;
    private int parkedMin;
    private int parkedMax;

    /** An events-only Receive with these limits, the loop's pooled one when there is one. */
    abstract ReceiveRequest pooledRequest(int minIncompleteLength, int maxLength);

    /** Gives a pooled Receive back to the loop's pool; false, keeping it, when not on the loop. */
    abstract boolean recycle(ReceiveRequest request);

    final void addRequest(ReceiveRequest request) {
        if (firstRequest == null && !parked) {
            firstRequest = request;
        } else {
            laterRequests = LaterQueue.add(laterRequests, request);
        }
    }

    /** The oldest waiting Receive, or null; a parked one gets its object back from the pool first. */
    final ReceiveRequest firstRequest() {
        if (parked) {
            parked = false;
            firstRequest = pooledRequest(parkedMin, parkedMax);
        }
        return firstRequest;
    }

    /** Whether a Receive waits, parked or not. */
    final boolean receiveWaits() {
        return firstRequest != null || parked;
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
        int min = waiting.minIncompleteLength;
        int max = waiting.maxLength();
        if (recycle(waiting)) {
            firstRequest = null;
            parked = true;
            parkedMin = min;
            parkedMax = max;
        }
    }
}

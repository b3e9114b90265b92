package io.taps.internal.conn;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * The idle pooled Receives ({@code receiveWithEvents}) of one event loop thread, which all its
 * Connections take from and give back to, as {@link SendPool} does for Sends: a Connection keeps
 * no idle Receive, nor the fields for one (8 B of every Connection, 40 B more of one that stopped
 * receiving, issue 21 figure 12), and the steady receive path still makes none. The Receive that
 * delivered a Message is back here before the handler runs ({@link ReceiveRequest#handingOver}),
 * on top, so an echo's receiveWithEvents inside its handler takes that very one. At most
 * {@value #LIMIT} wait. A Receive enters only once it has ended, without its Connection
 * ({@link ReceiveRequest#pooled()}); used on its event loop thread only.
 */
final class ReceivePool {
    static final int LIMIT = 64;
    private static final FastThreadLocal<ReceivePool> POOLS = new FastThreadLocal<>() {
        @Override
        protected ReceivePool initialValue() {
            return new ReceivePool();
        }
    };

    /** The idle Receives, most recently used first, linked through {@link ReceiveRequest#nextIdle}. */
    private ReceiveRequest head;
    private int size;

    private ReceivePool() {
    }

    /** The calling thread's pool; call on an event loop thread only. */
    static ReceivePool ofThisThread() {
        return POOLS.get();
    }

    /** An idle Receive, or null when none waits. */
    ReceiveRequest poll() {
        ReceiveRequest request = head;
        if (request != null) {
            head = request.nextIdle;
            request.nextIdle = null;
            size--;
        }
        return request;
    }

    /** Keeps {@code request} for the next pooled Receive of any Connection of this thread, up to {@link #LIMIT}. */
    void offer(ReceiveRequest request) {
        if (size < LIMIT) {
            request.nextIdle = head;
            head = request;
            size++;
        }
    }

    int size() {
        return size;
    }
}

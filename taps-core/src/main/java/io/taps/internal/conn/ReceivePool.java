package io.taps.internal.conn;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * The idle pooled Receives ({@code receiveWithEvents}) of one event loop thread, which all its
 * Connections take from and give back to, as {@link SendPool} does for Sends: a Connection keeps
 * no idle Receive, nor the fields for one (8 B of every Connection, 40 B more of one that stopped
 * receiving, issue 21 figure 12), and the steady receive path still makes none. The Receive that
 * delivered a Message is back here before the handler runs ({@link ReceiveRequest#handingOver}),
 * on top, so an echo's receiveWithEvents inside its handler takes that very one. At most
 * {@value #LIMIT} wait ({@link IdleStack}). A Receive enters only once it has ended, without its
 * Connection ({@link ReceiveRequest#pooled()}); used on its event loop thread only.
 */
final class ReceivePool {
    static final int LIMIT = 64;
    private static final FastThreadLocal<IdleStack<ReceiveRequest>> POOLS = new FastThreadLocal<>() {
        @Override
        protected IdleStack<ReceiveRequest> initialValue() {
            return new IdleStack<>(LIMIT);
        }
    };

    private ReceivePool() {
    }

    /** The calling thread's pool; call on an event loop thread only. */
    static IdleStack<ReceiveRequest> ofThisThread() {
        return POOLS.get();
    }
}

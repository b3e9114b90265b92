package io.taps.internal.conn;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * The idle pooled Sends ({@code sendWithEvents}) of one event loop thread, which all its
 * Connections take from and give back to: a request/response server then keeps as many idle
 * Sends as its loop had in flight at once, not one per Connection (a Send and its write promise,
 * 104 B of every echoing Connection, issue 21 figure 12), and the steady send path still makes
 * none. At most {@value #LIMIT} wait ({@link IdleStack}).
 *
 * <p>A Send enters only once it has ended (its Sent, Expired or SendError raised), without its
 * Message, its Connection or a write promise a channel may still report to ({@link PendingSend#clear}),
 * so a Send taken by another Connection carries nothing of the one it served. Used on its event loop
 * thread only: a Send that ends on another thread is not pooled.
 */
final class SendPool {
    static final int LIMIT = 256;
    private static final FastThreadLocal<IdleStack<PendingSend>> POOLS = new FastThreadLocal<>() {
        @Override
        protected IdleStack<PendingSend> initialValue() {
            return new IdleStack<>(LIMIT);
        }
    };

    private SendPool() {
    }

    /** The calling thread's pool; call on an event loop thread only. */
    static IdleStack<PendingSend> ofThisThread() {
        return POOLS.get();
    }
}

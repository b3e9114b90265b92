package io.taps.internal.conn;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one connection's (or listener's) events strictly one after another and in the order
 * they were raised, and nothing after the terminal event (RFC 9622 §11, checklist E-21).
 *
 * <p>Without an application executor, events run inline on the event loop that raised them, which
 * is already serial; re-entrant events are queued behind the running one. With one, they are queued and drained by one task at a time, so the
 * executor may be a pool (for example virtual threads) without reordering events. An exception
 * thrown by application code is logged and never reaches the protocol code.
 */
public final class EventDispatcher {
    private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);

    private final Executor executor;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean draining;
    private boolean terminated;
    /** The thread running the application's handlers right now, or null. */
    private volatile Thread drainingThread;

    public EventDispatcher(Executor executor) {
        this.executor = executor;
    }

    /** Raises an event unless a terminal event was already raised; returns whether it was raised. */
    public boolean emit(Runnable event) {
        synchronized (this) {
            if (terminated) {
                return false;
            }
        }
        dispatch(event);
        return true;
    }

    /** Raises the terminal event: Closed, ConnectionError or EstablishmentError. */
    public boolean emitTerminal(Runnable event) {
        synchronized (this) {
            if (terminated) {
                return false;
            }
            terminated = true;
        }
        dispatch(event);
        return true;
    }

    /**
     * Raises an event that calls the application's handler and then completes taps' own futures
     * for it; the futures complete even when the handler throws, so that {@code ready()},
     * {@code closed()} or a send's stage never hang on an application bug (E-22).
     */
    public boolean emit(Runnable handlerCall, Runnable completion) {
        return emit(handlerThen(handlerCall, completion));
    }

    /** {@link #emitTerminal(Runnable)} with the same guarantee as {@link #emit(Runnable, Runnable)}. */
    public boolean emitTerminal(Runnable handlerCall, Runnable completion) {
        return emitTerminal(handlerThen(handlerCall, completion));
    }

    private static Runnable handlerThen(Runnable handlerCall, Runnable completion) {
        return () -> {
            try {
                handlerCall.run();
            } finally {
                completion.run();
            }
        };
    }

    public synchronized boolean isTerminated() {
        return terminated;
    }

    /**
     * Queues the event and drains the queue unless a drain is already running. Inline on the event
     * loop this is a trampoline: an event raised by a handler (say, Received raised by a receive()
     * called inside a Received handler) runs after that handler returns, never nested inside it.
     */
    private void dispatch(Runnable event) {
        boolean startDrain;
        synchronized (this) {
            queue.add(event);
            startDrain = !draining;
            draining = true;
        }
        if (!startDrain) {
            return;
        }
        if (executor == null) {
            drain();
        } else {
            executor.execute(this::drain);
        }
    }

    private void drain() {
        Thread previous = drainingThread;
        drainingThread = Thread.currentThread();
        try {
            while (true) {
                Runnable next;
                synchronized (this) {
                    next = queue.poll();
                    if (next == null) {
                        draining = false;
                        return;
                    }
                }
                runSafely(next);
            }
        } finally {
            drainingThread = previous;
        }
    }

    /**
     * Whether the calling thread is running one of this dispatcher's events: an event raised now
     * runs only after the caller returns, so the caller must not wait for one.
     */
    public boolean isDispatchingOnThisThread() {
        return drainingThread == Thread.currentThread();
    }

    private static void runSafely(Runnable event) {
        try {
            event.run();
        } catch (RuntimeException | Error failure) {
            log.warn("An application event handler threw; the connection is unaffected", failure);
        }
    }
}

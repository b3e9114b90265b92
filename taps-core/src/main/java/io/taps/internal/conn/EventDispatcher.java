package io.taps.internal.conn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 *
 * <p>The queue is a ring of reused slots and per-Message events pass their arguments to constant
 * {@link Step}s, so raising Sent or Received allocates nothing (issue 21: allocation per round trip).
 *
 * <p>A Listener holds one; a Connection is one: it is the lowest layer of the Connection object
 * ({@link TapsConnection}) rather than an object it holds, so its fields live in the Connection
 * without an object header, a reference to it and a second reference to the executor (16 B of
 * every Connection, issue 21 figure 12). Nothing else extends it; the Connection calls only its
 * public methods.
 */
public class EventDispatcher implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);
    /** Runs the {@link Runnable} held in a slot's first argument. */
    private static final Step<Runnable, Object, Object> RUN_FIRST = (event, unused, alsoUnused) -> event.run();
    /** Runs the {@link Runnable} held in a slot's second argument (a completion after RUN_FIRST's handler call). */
    private static final Step<Object, Runnable, Object> RUN_SECOND = (unused, event, alsoUnused) -> event.run();
    /** Slots of the ring at first; it doubles when more events wait (re-entrant events, a slow executor). */
    private static final int INITIAL_SLOTS = 4;
    /** A ring grown past this many slots is replaced by a small one once it is empty again. */
    private static final int SHRINK_ABOVE_SLOTS = 256;

    /**
     * One step of an event, given its arguments rather than capturing them: a non-capturing lambda
     * is one object for the whole JVM, so the per-Message events (Sent, Received) allocate nothing.
     */
    @FunctionalInterface
    public interface Step<A, B, C> {
        void run(A first, B second, C third);
    }

    private final Executor executor;
    /**
     * The events not yet run, oldest at {@link #head}: a ring of slots, five entries each (handler
     * step, completion step or null, three arguments), reused event after event. Made when the
     * first event has to wait: inline delivery of a lone event needs none, and most idle
     * Connections never queue one (issue 21 item 4: ~100 B of every idle accepted Connection).
     * The ring, {@link #head} and {@link #count} are guarded by this dispatcher's monitor.
     */
    private Object[] ring;
    private int head;
    private int count;
    /**
     * {@link #DRAINING}, {@link #TERMINATED} and {@link #QUEUED}, changed by compare-and-set only.
     * An event raised inline with nothing draining takes the drain with one compare-and-set and
     * gives it back with another, without the monitor; the monitor guards only the ring. It was two
     * monitor round trips per event plus one per {@link #isTerminated} (five of those per Message):
     * 14.6% of the pipelined benchmark's JFR samples, 5.7% now (issue 21, figure 3).
     */
    private volatile int state;
    private static final VarHandle STATE;
    /** A thread is running events; only it runs them until it clears this. */
    private static final int DRAINING = 1;
    /** The terminal event was raised: nothing is raised after it. */
    private static final int TERMINATED = 2;
    /**
     * The ring holds events: set (with {@link #DRAINING}) by whoever adds one, under the monitor,
     * so the drainer's compare-and-set that ends a drain fails and it runs them first.
     */
    private static final int QUEUED = 4;
    /**
     * The thread running the application's handlers right now, or null: set by the drainer after it
     * takes {@link #DRAINING}, cleared before it gives it back. Not volatile (two fences per event
     * otherwise): it is only asked whether it is the asking thread, and only that thread ever
     * writes its own identity, clearing it again before it stops draining, so no thread can read
     * itself here unless it is draining.
     */
    private Thread drainingThread;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(EventDispatcher.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public EventDispatcher(Executor executor) {
        this.executor = executor;
    }

    /**
     * The drain, as the task handed to the application's executor: the dispatcher is its own task
     * rather than keeping a method reference to itself, a field and a 16 B object of every
     * Connection with an executor (issue 21 figure 12). Called only by that executor.
     */
    @Override
    public final void run() {
        drain();
    }

    /** Raises an event unless a terminal event was already raised; returns whether it was raised. */
    public boolean emit(Runnable event) {
        return emit(false, RUN_FIRST, null, event, null, null);
    }

    /** Raises the terminal event: Closed, ConnectionError or EstablishmentError. */
    public boolean emitTerminal(Runnable event) {
        return emit(true, RUN_FIRST, null, event, null, null);
    }

    /**
     * Raises an event that calls the application's handler and then completes taps' own futures
     * for it; the futures complete even when the handler throws, so that {@code ready()},
     * {@code closed()} or a send's stage never hang on an application bug (E-22).
     */
    public boolean emit(Runnable handlerCall, Runnable completion) {
        return emit(false, RUN_FIRST, RUN_SECOND, handlerCall, completion, null);
    }

    /** {@link #emitTerminal(Runnable)} with the same guarantee as {@link #emit(Runnable, Runnable)}. */
    public boolean emitTerminal(Runnable handlerCall, Runnable completion) {
        return emit(true, RUN_FIRST, RUN_SECOND, handlerCall, completion, null);
    }

    /**
     * {@link #emit(Runnable, Runnable)} for events raised per Message: {@code handlerCall} then
     * {@code completion} (even when the handler throws) run with the three arguments, so that
     * constant steps serve every event and raising one allocates nothing.
     */
    public <A, B, C> boolean emit(Step<A, B, C> handlerCall, Step<A, B, C> completion, A first, B second, C third) {
        return emit(false, handlerCall, completion, first, second, third);
    }

    /**
     * Whether an event raised now from this thread would run at once, inline, before the raising
     * call returns: no executor, nothing draining and not terminated. Decides whether a borrowed
     * Message can be lent (its buffer is then held only for the handler's call), read on the event
     * loop; another thread may start a drain meanwhile, which only delays the handler.
     */
    public final boolean runsInline() {
        return executor == null && state == 0;
    }

    /** The application's executor the events run on, or null: inline on the event loop. */
    public final Executor eventExecutor() {
        return executor;
    }

    public boolean isTerminated() {
        return (state & TERMINATED) != 0;
    }

    /**
     * Queues the event and drains the queue unless a drain is already running. Inline on the event
     * loop this is a trampoline: an event raised by a handler (say, Received raised by a receive()
     * called inside a Received handler) runs after that handler returns, never nested inside it.
     */
    private boolean emit(boolean terminal, Step<?, ?, ?> handlerCall, Step<?, ?, ?> completion, Object first,
            Object second, Object third) {
        if (executor == null && state == 0
                && STATE.compareAndSet(this, 0, terminal ? DRAINING | TERMINATED : DRAINING)) {
            // Inline with nothing draining (so nothing queued): the event runs straight from here,
            // without the ring and without the monitor.
            drainingThread = Thread.currentThread();
            runSafely(handlerCall, completion, first, second, third);
            // What the handler raised meanwhile waits in the ring: run it and end the drain.
            endDrain();
            return true;
        }
        boolean startDrain;
        synchronized (this) {
            int current;
            do {
                current = state;
                if ((current & TERMINATED) != 0) {
                    return false;
                }
                startDrain = (current & DRAINING) == 0;
            } while (!STATE.compareAndSet(this, current,
                    current | DRAINING | QUEUED | (terminal ? TERMINATED : 0)));
            add(handlerCall, completion, first, second, third);
        }
        if (startDrain) {
            if (executor == null) {
                drain();
            } else {
                executor.execute(this);
            }
        }
        return true;
    }

    private void add(Step<?, ?, ?> handlerCall, Step<?, ?, ?> completion, Object first, Object second, Object third) {
        if (ring == null) {
            ring = new Object[INITIAL_SLOTS * 5];
        } else if (count * 5 == ring.length) {
            Object[] larger = new Object[ring.length * 2];
            for (int i = 0; i < count; i++) {
                System.arraycopy(ring, slot(head + i), larger, i * 5, 5);
            }
            ring = larger;
            head = 0;
        }
        int at = slot(head + count);
        ring[at] = handlerCall;
        ring[at + 1] = completion;
        ring[at + 2] = first;
        ring[at + 3] = second;
        ring[at + 4] = third;
        count++;
    }

    /** The index of the {@code n}th slot of the ring (counted from index 0, wrapping). */
    private int slot(int n) {
        return n % (ring.length / 5) * 5;
    }

    private void drain() {
        drainingThread = Thread.currentThread();
        endDrain();
    }

    /**
     * Runs the queued events until the ring is empty, then ends the drain; the caller is the
     * draining thread. With nothing queued (the usual end of an inline event) that is one
     * compare-and-set: it fails only when an event was added meanwhile ({@link #QUEUED}).
     */
    private void endDrain() {
        int current = state;
        if ((current & QUEUED) == 0) {
            drainingThread = null;
            if (STATE.compareAndSet(this, current, current & ~DRAINING)) {
                return;
            }
            drainingThread = Thread.currentThread();
        }
        drainQueued();
    }

    private void drainQueued() {
        while (true) {
            Object handlerCall;
            Object completion;
            Object first;
            Object second;
            Object third;
            synchronized (this) {
                if (count == 0) {
                    // While DRAINING is set only holders of the monitor change the state.
                    drainingThread = null;
                    state &= ~(DRAINING | QUEUED);
                    if (ring != null && ring.length > SHRINK_ABOVE_SLOTS * 5) {
                        // A burst (a slow executor) grew the ring: an idle Connection gives it back.
                        ring = new Object[INITIAL_SLOTS * 5];
                        head = 0;
                    }
                    return;
                }
                int at = head * 5;
                handlerCall = ring[at];
                completion = ring[at + 1];
                first = ring[at + 2];
                second = ring[at + 3];
                third = ring[at + 4];
                // Cleared, so the ring keeps no delivered Message or Connection alive.
                java.util.Arrays.fill(ring, at, at + 5, null);
                head = (head + 1) % (ring.length / 5);
                count--;
            }
            runSafely(handlerCall, completion, first, second, third);
        }
    }

    /**
     * Whether the calling thread is running one of this dispatcher's events: an event raised now
     * runs only after the caller returns, so the caller must not wait for one.
     */
    public boolean isDispatchingOnThisThread() {
        return drainingThread == Thread.currentThread();
    }

    @SuppressWarnings("unchecked")
    private static void runSafely(Object handlerCall, Object completion, Object first, Object second, Object third) {
        try {
            try {
                ((Step<Object, Object, Object>) handlerCall).run(first, second, third);
            } finally {
                if (completion != null) {
                    ((Step<Object, Object, Object>) completion).run(first, second, third);
                }
            }
        } catch (RuntimeException | Error failure) {
            log.warn("An application event handler threw; the connection is unaffected", failure);
        }
    }
}

package io.taps.internal.conn;

import io.taps.Connection;
import java.util.concurrent.CompletableFuture;

/**
 * What a Connection's end is awaited with: the outcomes of ready() and closed() (RFC 9622 §7.1,
 * §10), their futures, made only when asked for, and the callbacks told once closed() has its
 * outcome ({@link TapsConnection#whenClosed}). {@link Lifecycle} decides the outcomes; this layer
 * keeps and reports them, from any thread.
 *
 * <p>What most Connections never use (the futures and their shared failure, a second end
 * callback, and {@link Lifecycle}'s transport failure, close timer and establisher's canceller)
 * waits in a {@link Seldom} made on first use: an accepted Connection that the peer ends needs
 * none of it (issue 21 figure 12). The two outcomes share one byte.
 *
 * <p>A layer of the Connection object, below {@link Lifecycle} (see {@link TapsConnection}). Its
 * lock, guarding the outcomes and {@link Seldom}, is the Connection's monitor:
 * held briefly and never while calling out, so sharing it with the facade and the dispatcher's ring
 * orders nothing new.
 */
abstract sealed class Outcomes extends TransferCounters permits Lifecycle {
    private static final byte PENDING = 0;
    private static final byte SUCCEEDED = 1;
    private static final byte FAILED = 2;

    /** Made on first use (under this object's lock), then never replaced; see {@link Seldom}. */
    private volatile Seldom seldom;
    /**
     * ready()'s outcome in the low two bits, closed()'s in the next two, and {@link #OWNER_WAITS};
     * under this object's lock, as are the futures.
     */
    private byte outcomes;
    /**
     * The Connection's owner is told first once closed() has its outcome, as a dependent of that
     * future would be (TapsConnection#ownerClosed): a bit, not a callback field of every Connection,
     * since the owner is the Connection's already (4 B, issue 21 figure 12). Other callbacks (the
     * RTT sampler's) wait in {@link Seldom#alsoOnClosed}.
     */
    private static final int OWNER_WAITS = 16;

    Outcomes(java.util.concurrent.Executor eventExecutor) {
        super(eventExecutor);
    }

    /** This layer's Connection: the object itself. */
    private TapsConnection connection() {
        return (TapsConnection) this;
    }

    /** {@link #seldom}, made now if it was not yet. */
    Seldom seldom() {
        Seldom made = seldom;
        if (made == null) {
            synchronized (this) {
                made = seldom;
                if (made == null) {
                    made = new Seldom();
                    seldom = made;
                }
            }
        }
        return made;
    }

    /** {@link #seldom} if it was made, else null. */
    Seldom seldomIfMade() {
        return seldom;
    }

    private int readyOutcome() {
        return outcomes & 3;
    }

    private int closedOutcome() {
        return outcomes >> 2 & 3;
    }

    private void readyOutcome(byte outcome) {
        outcomes = (byte) (outcomes & ~3 | outcome);
    }

    private void closedOutcome(byte outcome) {
        outcomes = (byte) (outcomes & ~12 | outcome << 2);
    }

    /** The future of ready(), made now if nobody asked before (complete if the outcome is known). */
    synchronized CompletableFuture<Connection> readyFuture() {
        Seldom rare = seldom();
        if (rare.readyFuture == null) {
            rare.readyFuture = new CompletableFuture<>();
            if (readyOutcome() == SUCCEEDED) {
                rare.readyFuture.complete(connection());
            } else if (readyOutcome() == FAILED) {
                rare.readyFuture.completeExceptionally(rare.endError);
            }
        }
        return rare.readyFuture;
    }

    /** The future of closed(), made now if nobody asked before (complete if the outcome is known). */
    synchronized CompletableFuture<Void> closedFuture() {
        Seldom rare = seldom();
        if (rare.closedFuture == null) {
            rare.closedFuture = new CompletableFuture<>();
            if (closedOutcome() == SUCCEEDED) {
                rare.closedFuture.complete(null);
            } else if (closedOutcome() == FAILED) {
                rare.closedFuture.completeExceptionally(rare.endError);
            }
        }
        return rare.closedFuture;
    }

    /** Ready: ready() completes (unless it already has an outcome). */
    void completeReady() {
        CompletableFuture<Connection> made;
        synchronized (this) {
            if (readyOutcome() != PENDING) {
                return;
            }
            readyOutcome(SUCCEEDED);
            made = seldom == null ? null : seldom.readyFuture;
        }
        if (made != null) {
            made.complete(connection());
        }
    }

    /** Closed: closed() completes, then the engine hears of it. */
    void completeClosed() {
        CompletableFuture<Void> made;
        synchronized (this) {
            if (closedOutcome() != PENDING) {
                return;
            }
            closedOutcome(SUCCEEDED);
            made = seldom == null ? null : seldom.closedFuture;
        }
        if (made != null) {
            made.complete(null);
        }
        tellClosed();
    }

    /** EstablishmentError or ConnectionError: ready() (unless Ready came first) and closed() fail with {@code error}. */
    void failFutures(Throwable error) {
        CompletableFuture<Connection> ready;
        CompletableFuture<Void> closed;
        synchronized (this) {
            Seldom rare = seldom();
            if (readyOutcome() == PENDING || closedOutcome() == PENDING) {
                rare.endError = rare.endError == null ? error : rare.endError;
            }
            ready = readyOutcome() == PENDING ? rare.readyFuture : null;
            closed = closedOutcome() == PENDING ? rare.closedFuture : null;
            if (readyOutcome() == PENDING) {
                readyOutcome(FAILED);
            }
            if (closedOutcome() == PENDING) {
                closedOutcome(FAILED);
            }
        }
        if (ready != null) {
            ready.completeExceptionally(error);
        }
        if (closed != null) {
            closed.completeExceptionally(error);
        }
        tellClosed();
    }

    private void tellClosed() {
        boolean ownerWaits;
        ConnectionEnd alsoTold;
        synchronized (this) {
            ownerWaits = (outcomes & OWNER_WAITS) != 0;
            outcomes &= ~OWNER_WAITS;
            Seldom rare = seldom;
            alsoTold = rare == null ? null : rare.alsoOnClosed;
            if (rare != null) {
                rare.alsoOnClosed = null;
            }
        }
        if (ownerWaits) {
            connection().ownerClosed();
        }
        if (alsoTold != null) {
            alsoTold.ended(connection());
        }
    }

    /** Tells {@code end} once closed() has its outcome (at once when it already has). */
    void onClosed(ConnectionEnd end) {
        boolean now;
        synchronized (this) {
            now = closedOutcome() != PENDING;
            if (!now) {
                Seldom rare = seldom();
                if (rare.alsoOnClosed == null) {
                    rare.alsoOnClosed = end;
                } else {
                    ConnectionEnd earlier = rare.alsoOnClosed;
                    rare.alsoOnClosed = ended -> {
                        earlier.ended(ended);
                        end.ended(ended);
                    };
                }
            }
        }
        if (now) {
            end.ended(connection());
        }
    }

    /** Tells the Connection's owner once closed() has its outcome (at once when it already has). */
    public void tellOwnerWhenClosed() {
        boolean now;
        synchronized (this) {
            now = closedOutcome() != PENDING;
            if (!now) {
                outcomes |= OWNER_WAITS;
            }
        }
        if (now) {
            connection().ownerClosed();
        }
    }
}

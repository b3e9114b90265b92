package io.taps.internal.conn;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.ConnectionState;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Connection's lifecycle (RFC 9622 §11, E-20): Establishing, Established, Closing, Closed; the
 * graceful close (queued data first, then FIN, then the peer's end or the close timeout), Abort,
 * and the one terminal event (Closed, ConnectionError or EstablishmentError). Runs on the
 * connection's event loop only; the state is readable from any thread.
 *
 * <p>What most Connections never use (the futures of ready() and closed() and their shared
 * failure, a second end callback, a transport failure, the close timer, the establisher's
 * canceller) waits in a {@link Seldom} made on first use: an accepted Connection that the peer
 * ends needs none of it, and the seven fields were 24 B of every Connection (64 to 40 B, issue 21
 * figure 12). An initiated Connection whose application waits on ready() pays one more object.
 *
 * <p>Its own flags are bytes, not fields each, for the same reason (40 to 32 B): the state as its
 * ordinal (volatile, read from any thread), the two outcomes in one byte (under this object's
 * lock), and the event loop's three flags in one.
 */
final class Lifecycle {
    private static final byte PENDING = 0;
    private static final byte SUCCEEDED = 1;
    private static final byte FAILED = 2;

    private final TapsConnection connection;
    /** Made on first use (under this object's lock), then never replaced; see {@link Seldom}. */
    private volatile Seldom seldom;
    /** ready()'s outcome in the low two bits, closed()'s in the next two; under this object's lock, as are the futures. */
    private byte outcomes;
    /**
     * Told once closed() has its outcome, as dependents of that future would be: the engine's here,
     * the RTT sampler's in {@link Seldom#alsoOnClosed}. Guarded by this object's lock.
     */
    private ConnectionEnd onClosed;
    /** The ordinal of its {@link ConnectionState}, ESTABLISHING (0) at first. */
    private volatile byte state;
    private volatile boolean closeRequested;
    /** The Listener's: told when the Connection reaches its end (before closed() completes). */
    private ConnectionEnd onTerminated;
    /** The event loop's flags below, one bit each. */
    private byte flags;
    /** The close timeout ended: what is still queued or buffered is given up. */
    private static final int CLOSE_TIMED_OUT = 1;
    /**
     * The flow closed cleanly after Close while received data was still buffered: Closed waits
     * until the application received it (or the close timeout ends), so Close never drops data
     * the peer sent before its end (RFC 9622 §10; the model the Connection javadoc documents).
     */
    private static final int FLOW_CLOSED = 2;
    /** ConnectionError is being raised: the link's own end, reported while it closes, is part of it. */
    private static final int FAILING = 4;
    private static final ConnectionState[] STATES = ConnectionState.values();

    Lifecycle(TapsConnection connection) {
        this.connection = connection;
    }

    /** {@link #seldom}, made now if it was not yet. */
    private Seldom seldom() {
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

    ConnectionState state() {
        return STATES[state];
    }

    private void state(ConnectionState now) {
        state = (byte) now.ordinal();
    }

    private boolean is(int flag) {
        return (flags & flag) != 0;
    }

    private void set(int flag) {
        flags |= (byte) flag;
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
                rare.readyFuture.complete(connection);
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
            made.complete(connection);
        }
    }

    /** Closed: closed() completes, then the engine hears of it. */
    private void completeClosed() {
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
    private void failFutures(Throwable error) {
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
        ConnectionEnd told;
        ConnectionEnd alsoTold;
        synchronized (this) {
            told = onClosed;
            onClosed = null;
            Seldom rare = seldom;
            alsoTold = rare == null ? null : rare.alsoOnClosed;
            if (rare != null) {
                rare.alsoOnClosed = null;
            }
        }
        if (told != null) {
            told.ended(connection);
        }
        if (alsoTold != null) {
            alsoTold.ended(connection);
        }
    }

    /** Tells {@code end} once closed() has its outcome (at once when it already has). */
    void onClosed(ConnectionEnd end) {
        boolean now;
        synchronized (this) {
            now = closedOutcome() != PENDING;
            if (!now) {
                Seldom rare = onClosed == null ? null : seldom();
                if (rare == null) {
                    onClosed = end;
                } else if (rare.alsoOnClosed == null) {
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
            end.ended(connection);
        }
    }

    boolean terminated() {
        return connection.isTerminated();
    }

    boolean closeRequested() {
        return closeRequested;
    }

    /** Close was called, or the Connection is Closing or Closed: no more Sends, no Clones. */
    boolean closing() {
        return closeRequested || state() == ConnectionState.CLOSING || state() == ConnectionState.CLOSED;
    }

    Throwable failureCause() {
        Seldom rare = seldom;
        return rare == null ? null : rare.failureCause;
    }

    void onTerminated(ConnectionEnd callback) {
        this.onTerminated = callback;
    }

    boolean onEstablishmentCancel(Runnable canceller) {
        if (state() != ConnectionState.ESTABLISHING || terminated()) {
            return false;
        }
        seldom().establishmentCanceller = canceller;
        return true;
    }

    /** The link was adopted: Established. */
    void established() {
        state(ConnectionState.ESTABLISHED);
        Seldom rare = seldom;
        if (rare != null) {
            rare.establishmentCanceller = null;
        }
    }

    /** After Ready: a Close called while establishing with data queued runs now. */
    void afterReady() {
        if (closeRequested) {
            closeRequested = false;
            startClose();
        } else {
            connection.sendPath.writeQueued();
        }
    }

    /** EstablishmentError (E-02): establishment failed; the connection is now Closed. */
    void failEstablishment(TransportServicesException error) {
        if (state() == ConnectionState.CLOSED) {
            return;
        }
        state(ConnectionState.CLOSED);
        connection.sendPath.failQueuedSilently(error);
        connection.receivePath.failAllSilently(error);
        connection.markClosed();
        connection.emitTerminal(() -> connection.handler().establishmentError(connection, error),
                () -> failFutures(error));
        terminate();
    }

    void startClose() {
        if (terminated() || closeRequested) {
            return;
        }
        closeRequested = true;
        connection.sampleRtt(connection.link());
        if (state() == ConnectionState.ESTABLISHING) {
            if (!connection.sendPath.isEmpty()) {
                // Queued data is delivered first: establishment goes on and establish() closes afterwards.
                return;
            }
            cancelEstablishment();
            finishClosed();
            return;
        }
        state(ConnectionState.CLOSING);
        Timeout closeTimeout = (Timeout) connection.store.get(Property.CLOSE_TIMEOUT);
        if (!closeTimeout.isNone()) {
            seldom().closeTimer = connection.eventLoop().schedule(this::closeTimedOut, closeTimeout.duration().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        connection.sendPath.writeQueued();
    }

    /** Once everything queued was written: FIN (after close_notify on TLS), then wait for the peer's FIN. */
    void continueClosing() {
        if (!closeRequested || terminated() || state() != ConnectionState.CLOSING) {
            return;
        }
        SendPath send = connection.sendPath;
        if (!send.drained()) {
            return;
        }
        if (send.shutdownOutputOnce(this::continueClosing)) {
            return;
        }
        Link link = connection.link();
        if (connection.receivePath.inputEnded() || !link.byteStream()) {
            link.close(() -> { });
        }
    }

    private void closeTimedOut() {
        if (terminated()) {
            return;
        }
        set(CLOSE_TIMED_OUT);
        connection.sendPath.failQueued(new TransportServicesException(ErrorReason.TIMEOUT,
                "the close timeout ended before the message could be sent"));
        Link link = connection.link();
        if (is(FLOW_CLOSED)) {
            finishClosed();
        } else if (link != null) {
            link.close(() -> { });
        } else {
            finishClosed();
        }
    }

    private void finishClosed() {
        if (terminated()) {
            return;
        }
        state(ConnectionState.CLOSED);
        cancelCloseTimer();
        connection.receivePath.failAll(() -> new TransportServicesException(ErrorReason.CONNECTION_CLOSED,
                "the connection closed before a message arrived for this receive"));
        connection.markClosed();
        connection.emitTerminal(() -> connection.handler().closed(connection), this::completeClosed);
        terminate();
    }

    void abort() {
        if (terminated()) {
            return;
        }
        if (state() == ConnectionState.ESTABLISHING) {
            cancelEstablishment();
        }
        Link link = connection.link();
        if (link != null) {
            connection.sampleRtt(link);
            link.reset();
        }
        failWithConnectionError(new LoopFailure(ErrorReason.LOCAL_ABORT,
                "the application aborted the connection (RFC 9622 §10)"));
    }

    void failWithConnectionError(TransportServicesException error) {
        if (is(FAILING)) {
            return;
        }
        set(FAILING);
        state(ConnectionState.CLOSED);
        cancelCloseTimer();
        connection.sendPath.failQueued(error);
        connection.receivePath.failAll(error);
        Link link = connection.link();
        if (link != null) {
            link.close(() -> { });
        }
        connection.markClosed();
        connection.emitTerminal(() -> connection.handler().connectionError(connection, error),
                () -> failFutures(error));
        terminate();
    }

    /**
     * The flow is gone. After Close it ends the Connection with Closed when everything queued was
     * sent (or the close timeout gave it up); a flow that went away with Messages still queued or
     * with a transport failure ends it with ConnectionError naming what happened.
     */
    void onLinkClosed() {
        if (terminated() || is(FAILING)) {
            // A link that ends synchronously when the failing Connection closes it reports back here.
            return;
        }
        Throwable failureCause = failureCause();
        if (closeRequested && failureCause == null && (is(CLOSE_TIMED_OUT) || connection.sendPath.drained())) {
            Link link = connection.link();
            if (!is(CLOSE_TIMED_OUT) && link != null && link.byteStream() && connection.receivePath.hasUndelivered()) {
                set(FLOW_CLOSED);
                return;
            }
            finishClosed();
            return;
        }
        failWithConnectionError(TransportFailures.describe(failureCause, closeRequested));
    }

    /** Whether the flow already closed, so nothing may be asked of the link any more. */
    boolean flowClosed() {
        return is(FLOW_CLOSED);
    }

    /** The application received more; Closed follows once nothing buffered is left. */
    void received() {
        if (is(FLOW_CLOSED) && !terminated() && !connection.receivePath.hasUndelivered()) {
            finishClosed();
        }
    }

    /**
     * A failure the stack reported: an ICMP port unreachable is a SoftError (RFC 9622 §8.3.1) when
     * asked for; a hard failure is remembered and ends the Connection when the flow closes.
     */
    void onLinkException(Throwable cause) {
        if (!TransportFailures.raisedAsSoftError(connection, cause)) {
            linkFailed(cause);
        }
    }

    /** Remembers the first hard failure; it names the ConnectionError when the flow closes. */
    void linkFailed(Throwable cause) {
        Seldom rare = seldom();
        if (rare.failureCause == null) {
            rare.failureCause = cause;
        }
    }

    private void cancelEstablishment() {
        Seldom rare = seldom;
        Runnable canceller = rare == null ? null : rare.establishmentCanceller;
        if (canceller != null) {
            rare.establishmentCanceller = null;
            canceller.run();
        }
    }

    private void cancelCloseTimer() {
        Seldom rare = seldom;
        if (rare != null && rare.closeTimer != null) {
            rare.closeTimer.cancel(false);
        }
    }

    private void terminate() {
        IdleTimer.stop(connection);
        io.taps.internal.group.TapsConnectionGroup group = connection.groupIfMade();
        if (group != null) {
            group.memberEnded(connection);
        }
        ConnectionEnd callback = onTerminated;
        onTerminated = null;
        if (callback != null) {
            callback.ended(connection);
        }
    }

    TransportServicesException closedError(String action) {
        return new TransportServicesException(ErrorReason.CONNECTION_CLOSED,
                "cannot " + action + ": the connection is already " + state());
    }
}

package io.taps.internal.conn;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.ConnectionState;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import java.util.concurrent.TimeUnit;

/**
 * A Connection's lifecycle (RFC 9622 §11, E-20): Establishing, Established, Closing, Closed; the
 * graceful close (queued data first, then FIN, then the peer's end or the close timeout), Abort,
 * and the one terminal event (Closed, ConnectionError or EstablishmentError). Runs on the
 * connection's event loop only; the state is readable from any thread.
 *
 * <p>A layer of the Connection object ({@link TapsConnection}) above {@link Outcomes}, which keeps
 * what ready() and closed() report; the paths above consult its state directly and it reaches
 * them through {@link #connection()}. What few Connections use (a transport failure, the close
 * timer, the establisher's canceller) waits in the {@link Seldom} made on first use.
 *
 * <p>Its own flags are bytes, not fields each (issue 21 figure 12): the state as its ordinal
 * (volatile, read from any thread) and the event loop's three flags in one.
 */
abstract sealed class Lifecycle extends Outcomes implements LinkEvents permits SendQueue {
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

    Lifecycle(java.util.concurrent.Executor eventExecutor) {
        super(eventExecutor);
    }

    /** This layer's Connection: the object itself, whose other layers it calls by name. */
    private TapsConnection connection() {
        return (TapsConnection) this;
    }

    public ConnectionState state() {
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

    boolean terminated() {
        return connection().isTerminated();
    }

    boolean closeRequested() {
        return closeRequested;
    }

    /** Close was called, or the Connection is Closing or Closed: no more Sends, no Clones. */
    public boolean closing() {
        return closeRequested || state() == ConnectionState.CLOSING || state() == ConnectionState.CLOSED;
    }

    Throwable failureCause() {
        Seldom rare = seldomIfMade();
        return rare == null ? null : rare.failureCause;
    }

    /** Tells {@code end} once when the connection reaches its end, e.g. to let a Listener forget it. */
    public void onTerminated(ConnectionEnd callback) {
        this.onTerminated = callback;
    }

    /**
     * Lets the establisher stop its attempts when the application closes or aborts early; called
     * on the event loop. False when the Connection already ended (an abort or close that ran on
     * the loop before the establisher's first task found no canceller): the establisher must then
     * start nothing, or it would open attempts and adopt a winner into a closed Connection.
     */
    public boolean onEstablishmentCancel(Runnable canceller) {
        if (state() != ConnectionState.ESTABLISHING || terminated()) {
            return false;
        }
        seldom().establishmentCanceller = canceller;
        return true;
    }

    /** The link was adopted: Established. */
    void established() {
        state(ConnectionState.ESTABLISHED);
        Seldom rare = seldomIfMade();
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
            connection().writeQueued();
        }
    }

    /** EstablishmentError (E-02): establishment failed; the connection is now Closed. On the event loop. */
    void establishmentFailed(TransportServicesException error) {
        if (state() == ConnectionState.CLOSED) {
            return;
        }
        state(ConnectionState.CLOSED);
        connection().failQueuedSilently(error);
        connection().failAllSilently(error);
        connection().markClosed();
        connection().emitTerminal(() -> connection().handler().establishmentError(connection(), error),
                () -> failFutures(error));
        terminate();
    }

    /** The link asks for a graceful close (a framer's closeConnection, for one). */
    @Override
    public void onCloseRequested() {
        startClose();
    }

    void startClose() {
        if (terminated() || closeRequested) {
            return;
        }
        closeRequested = true;
        connection().sampleRtt(connection().link());
        if (state() == ConnectionState.ESTABLISHING) {
            if (!connection().noSendQueued()) {
                // Queued data is delivered first: establishment goes on and establish() closes afterwards.
                return;
            }
            cancelEstablishment();
            finishClosed();
            return;
        }
        state(ConnectionState.CLOSING);
        Timeout closeTimeout = (Timeout) connection().store.get(Property.CLOSE_TIMEOUT);
        if (!closeTimeout.isNone()) {
            seldom().closeTimer = connection().eventLoop().schedule(this::closeTimedOut, closeTimeout.duration().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        connection().writeQueued();
    }

    /** Once everything queued was written: FIN (after close_notify on TLS), then wait for the peer's FIN. */
    void continueClosing() {
        if (!closeRequested || terminated() || state() != ConnectionState.CLOSING) {
            return;
        }
        SendPath send = connection();
        if (!send.drained()) {
            return;
        }
        if (send.shutdownOutputOnce(this::continueClosing)) {
            return;
        }
        Link link = connection().link();
        if (connection().inputEnded() || !link.byteStream()) {
            link.close(() -> { });
        }
    }

    private void closeTimedOut() {
        if (terminated()) {
            return;
        }
        set(CLOSE_TIMED_OUT);
        connection().failQueued(new TransportServicesException(ErrorReason.TIMEOUT,
                "the close timeout ended before the message could be sent"));
        Link link = connection().link();
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
        connection().failAll(() -> new TransportServicesException(ErrorReason.CONNECTION_CLOSED,
                "the connection closed before a message arrived for this receive"));
        connection().markClosed();
        connection().emitTerminal(() -> connection().handler().closed(connection()), this::completeClosed);
        terminate();
    }

    /** Abort (RFC 9622 §10) on the event loop. */
    void abortOnLoop() {
        if (terminated()) {
            return;
        }
        if (state() == ConnectionState.ESTABLISHING) {
            cancelEstablishment();
        }
        Link link = connection().link();
        if (link != null) {
            connection().sampleRtt(link);
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
        connection().failQueued(error);
        connection().failAll(error);
        Link link = connection().link();
        if (link != null) {
            link.close(() -> { });
        }
        connection().markClosed();
        connection().emitTerminal(() -> connection().handler().connectionError(connection(), error),
                () -> failFutures(error));
        terminate();
    }

    /**
     * The flow is gone. After Close it ends the Connection with Closed when everything queued was
     * sent (or the close timeout gave it up); a flow that went away with Messages still queued or
     * with a transport failure ends it with ConnectionError naming what happened.
     */
    @Override
    public void onLinkClosed() {
        if (terminated() || is(FAILING)) {
            // A link that ends synchronously when the failing Connection closes it reports back here.
            return;
        }
        Throwable failureCause = failureCause();
        if (closeRequested && failureCause == null && (is(CLOSE_TIMED_OUT) || connection().drained())) {
            Link link = connection().link();
            if (!is(CLOSE_TIMED_OUT) && link != null && link.byteStream() && connection().hasUndelivered()) {
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
        if (is(FLOW_CLOSED) && !terminated() && !connection().hasUndelivered()) {
            finishClosed();
        }
    }

    /**
     * A failure the stack reported: an ICMP port unreachable is a SoftError (RFC 9622 §8.3.1) when
     * asked for; a hard failure is remembered and ends the Connection when the flow closes.
     */
    @Override
    public void onLinkException(Throwable cause) {
        if (!TransportFailures.raisedAsSoftError(connection(), cause)) {
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
        Seldom rare = seldomIfMade();
        Runnable canceller = rare == null ? null : rare.establishmentCanceller;
        if (canceller != null) {
            rare.establishmentCanceller = null;
            canceller.run();
        }
    }

    private void cancelCloseTimer() {
        Seldom rare = seldomIfMade();
        if (rare != null && rare.closeTimer != null) {
            rare.closeTimer.cancel(false);
        }
    }

    private void terminate() {
        IdleTimer.stop(connection());
        io.taps.internal.group.TapsConnectionGroup group = connection().groupIfMade();
        if (group != null) {
            group.memberEnded(connection());
        }
        ConnectionEnd callback = onTerminated;
        onTerminated = null;
        if (callback != null) {
            callback.ended(connection());
        }
    }

    TransportServicesException closedError(String action) {
        return new TransportServicesException(ErrorReason.CONNECTION_CLOSED,
                "cannot " + action + ": the connection is already " + state());
    }
}

package io.taps.internal.conn;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import java.util.concurrent.TimeUnit;

/**
 * {@code _taps.idleTimeout} (RFC 9622 §4.1 vendor property): ends a Connection that neither sent nor
 * received a byte, and has nothing waiting to be sent, for the timeout, with a ConnectionError
 * (reason Timeout) naming it. Data the application has not received yet does not keep it open.
 *
 * <p>It samples the transfer counters a few times per timeout instead of stamping every read and
 * write, so it costs nothing per Message; a silent Connection therefore ends between 1 and 1.25
 * timeouts after its last byte (up to 2 for timeouts under 40 ms, whose samples stay 10 ms apart).
 * The samples come from the {@link IdleSweep} of the event loop and timeout, which all its
 * Connections share: a timer is only this Connection's place in that sweep's list, made when the
 * Connection has an idle timeout and dropped when it ends. Runs on the connection's event loop only.
 */
final class IdleTimer {
    private final TapsConnection connection;
    private IdleSweep sweep;
    // The sweep's intrusive list.
    IdleTimer prev;
    IdleTimer next;
    /** Bytes moved at the last sample; -1 right after (re)starting, so the first sample counts as activity. */
    private long lastTransferred = -1;
    /** Samples in a row that found no traffic. */
    private int quietSamples;

    private IdleTimer(TapsConnection connection) {
        this.connection = connection;
    }

    /**
     * (Re)starts {@code connection}'s timer with its current {@code _taps.idleTimeout}: the first
     * sample of its sweep counts as traffic, so expiry is a whole timeout away at least. Disabled,
     * or an ended Connection, stops it.
     */
    static void restart(TapsConnection connection) {
        stop(connection);
        Timeout timeout = (Timeout) connection.store.get(Property.IDLE_TIMEOUT);
        if (timeout == null || timeout.isNone() || connection.lifecycle.terminated()) {
            return;
        }
        IdleTimer timer = new IdleTimer(connection);
        timer.sweep = IdleSweep.of(connection.eventLoop(), Math.max(1, timeout.duration().toNanos()));
        timer.sweep.add(timer);
        connection.idleTimer = timer;
    }

    /** Takes {@code connection} out of its sweep, which then no longer refers to it. */
    static void stop(TapsConnection connection) {
        IdleTimer timer = connection.idleTimer;
        if (timer != null) {
            connection.idleTimer = null;
            timer.sweep.remove(timer);
            timer.sweep = null;
        }
    }

    /** The sweep this Connection is in, or null (for tests). */
    static IdleSweep sweepOf(TapsConnection connection) {
        IdleTimer timer = connection.idleTimer;
        return timer == null ? null : timer.sweep;
    }

    /** A sample: ends the Connection when it has been quiet for the sweep's samples in a row. */
    void sample() {
        if (connection.lifecycle.terminated()) {
            stop(connection);
            return;
        }
        long transferred = connection.transferred();
        if (transferred != lastTransferred || !connection.sendPath.drained()) {
            lastTransferred = transferred;
            quietSamples = 0;
            return;
        }
        if (++quietSamples == 1) {
            // Quiet for a tick: a resend view waits for traffic that may never come (issue 21 item 4);
            // the next traffic remakes it. Pooled Sends and Receives are the loop's (SendPool, ReceivePool).
            connection.sendPath.releaseResendPayload();
        }
        if (quietSamples < sweep.samples) {
            return;
        }
        long timeoutNanos = sweep.timeoutNanos();
        stop(connection);
        connection.lifecycle.failWithConnectionError(new TransportServicesException(ErrorReason.TIMEOUT,
                "no data sent or received for at least " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                        + " ms: the idle timeout (_taps.idleTimeout=" + connection.store.get(Property.IDLE_TIMEOUT)
                        + ") ended the connection"));
    }
}

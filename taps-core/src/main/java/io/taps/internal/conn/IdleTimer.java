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
 * Connections share: a Connection joins that sweep's list while it has an idle timeout and leaves
 * it when it ends.
 *
 * <p>Static: a Connection's place in the sweep (its neighbours, its sweep, the last sample) is
 * fields of the Connection ({@link TransferCounters}, next to the counters sampled), not an object
 * of its own: a timer object per Connection was 40 B of every accepted Connection (issue 21,
 * figure 12). Runs on the connection's event loop only.
 */
final class IdleTimer {
    /** The low bits of {@link TransferCounters#idleSample} that count quiet samples. */
    private static final int QUIET_BITS = 3;
    private static final long QUIET_MASK = (1L << QUIET_BITS) - 1;
    /**
     * {@link TransferCounters#idleSample} right after (re)starting: a mark no byte count makes and
     * no quiet sample, so the first sample counts as activity.
     */
    static final long RESTARTED = -1L << QUIET_BITS;

    private IdleTimer() {
    }

    /**
     * (Re)starts {@code connection}'s timer with its current {@code _taps.idleTimeout}: the first
     * sample of its sweep counts as traffic, so expiry is a whole timeout away at least. Disabled,
     * or an ended Connection, stops it.
     */
    static void restart(TapsConnection connection) {
        stop(connection);
        Timeout timeout = (Timeout) connection.store.get(Property.IDLE_TIMEOUT);
        if (timeout == null || timeout.isNone() || connection.terminated()) {
            return;
        }
        connection.idleSample = RESTARTED;
        IdleSweep sweep = IdleSweep.of(connection.eventLoop(), Math.max(1, timeout.duration().toNanos()));
        connection.idleSweep = sweep;
        sweep.add(connection);
    }

    /** Takes {@code connection} out of its sweep, which then no longer refers to it. */
    static void stop(TapsConnection connection) {
        IdleSweep sweep = connection.idleSweep;
        if (sweep != null) {
            connection.idleSweep = null;
            sweep.remove(connection);
        }
    }

    /** The sweep this Connection is in, or null (for tests). */
    static IdleSweep sweepOf(TapsConnection connection) {
        return connection.idleSweep;
    }

    /** A sample: ends the Connection when it has been quiet for the sweep's samples in a row. */
    static void sample(TapsConnection connection) {
        if (connection.terminated()) {
            stop(connection);
            return;
        }
        long mark = connection.transferred() << QUIET_BITS;
        long last = connection.idleSample;
        if (mark != (last & ~QUIET_MASK) || !connection.drained()) {
            connection.idleSample = mark;
            return;
        }
        // Never past SAMPLES (4): the Connection ends when the count reaches the sweep's samples.
        int quietSamples = (int) (last & QUIET_MASK) + 1;
        connection.idleSample = last + 1;
        IdleSweep sweep = connection.idleSweep;
        if (quietSamples < sweep.samples) {
            return;
        }
        long timeoutNanos = sweep.timeoutNanos();
        stop(connection);
        connection.failWithConnectionError(new TransportServicesException(ErrorReason.TIMEOUT,
                "no data sent or received for at least " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                        + " ms: the idle timeout (_taps.idleTimeout=" + connection.store.get(Property.IDLE_TIMEOUT)
                        + ") ended the connection"));
    }
}

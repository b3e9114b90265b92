package io.taps.internal.conn;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code _taps.idleTimeout} (RFC 9622 §4.1 vendor property): ends a Connection that neither sent nor
 * received a byte, and has nothing waiting to be sent, for the timeout, with a ConnectionError
 * (reason Timeout) naming it. Data the application has not received yet does not keep it open.
 *
 * <p>It samples the transfer counters a few times per timeout instead of stamping every read and
 * write, so it costs nothing per Message; a silent Connection therefore ends between 1 and 1.25
 * timeouts after its last byte. Runs on the connection's event loop only.
 */
final class IdleTimer implements Runnable {
    /** Samples per timeout: the precision of the expiry. */
    private static final int SAMPLES = 4;
    private static final long MIN_SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final TapsConnection connection;
    private ScheduledFuture<?> next;
    private long limitNanos;
    private long lastTransferred;
    private long lastActivityNanos;

    IdleTimer(TapsConnection connection) {
        this.connection = connection;
    }

    /** (Re)starts with the Connection's current {@code _taps.idleTimeout}; Disabled stops it. */
    void restart() {
        stop();
        Timeout timeout = (Timeout) connection.store.get(Property.IDLE_TIMEOUT);
        if (timeout == null || timeout.isNone() || connection.lifecycle.terminated()) {
            return;
        }
        limitNanos = Math.max(1, timeout.duration().toNanos());
        lastTransferred = connection.counters.transferred();
        lastActivityNanos = System.nanoTime();
        schedule(limitNanos);
    }

    void stop() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    private void schedule(long untilExpiry) {
        long sample = Math.max(MIN_SAMPLE_NANOS, limitNanos / SAMPLES);
        // Itself as the task: a method reference would be one more object per sample, kept while it waits.
        next = connection.eventLoop().schedule(this, Math.min(sample, untilExpiry), TimeUnit.NANOSECONDS);
    }

    /** A sample: ends the Connection when it has been idle for the timeout, else samples again. */
    @Override
    public void run() {
        next = null;
        if (connection.lifecycle.terminated()) {
            return;
        }
        long now = System.nanoTime();
        long transferred = connection.counters.transferred();
        if (transferred != lastTransferred || !connection.sendPath.drained()) {
            lastTransferred = transferred;
            lastActivityNanos = now;
        }
        long idle = now - lastActivityNanos;
        if (idle < limitNanos) {
            schedule(limitNanos - idle);
            return;
        }
        connection.lifecycle.failWithConnectionError(new TransportServicesException(ErrorReason.TIMEOUT,
                "no data sent or received for " + TimeUnit.NANOSECONDS.toMillis(idle)
                        + " ms: the idle timeout (_taps.idleTimeout=" + connection.store.get(Property.IDLE_TIMEOUT)
                        + ") ended the connection"));
    }
}

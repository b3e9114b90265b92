package io.taps.spring.listener;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * What the handler of one {@link TapsListener} has done since the context started (kept across
 * restarts of the listener): Messages in flight (handling began, replies not all Sent yet), handled
 * (finished without error) and failed (the handler, the payload's conversion or validation, or a
 * reply failed; whether or not a {@link TapsExceptionHandler} then answered), and the last error
 * of the listener, connection callbacks included. Exposed as meters ({@code taps.listener.messages.*})
 * and in {@code /actuator/taps}. Thread-safe; cheap on the handling path (an atomic add per event).
 */
public final class ListenerHandlerFigures {
    private final AtomicLong inFlight = new AtomicLong();
    private final LongAdder handled = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicReference<@Nullable LastError> lastError = new AtomicReference<>();
    private final Clock clock;

    ListenerHandlerFigures(Clock clock) {
        this.clock = clock;
    }

    /**
     * The last error of a listener.
     *
     * @param type    the exception's class name
     * @param message the exception's message (may be empty)
     * @param time    when it was reported
     */
    public record LastError(String type, String message, Instant time) {
    }

    /** Messages whose handling began and whose replies are not all Sent yet. */
    public long inFlight() {
        return this.inFlight.get();
    }

    /** Messages handled without error. */
    public long handled() {
        return this.handled.sum();
    }

    /** Messages whose handling or reply failed. */
    public long failed() {
        return this.failed.sum();
    }

    /** The last error reported for this listener, if any. */
    public Optional<LastError> lastError() {
        return Optional.ofNullable(this.lastError.get());
    }

    void started() {
        this.inFlight.incrementAndGet();
    }

    void finished(boolean failed) {
        this.inFlight.decrementAndGet();
        (failed ? this.failed : this.handled).increment();
    }

    void error(Throwable error) {
        String message = error.getMessage();
        this.lastError.set(new LastError(error.getClass().getName(), message == null ? "" : message,
                this.clock.instant()));
    }

    @Override
    public String toString() {
        return "ListenerHandlerFigures[inFlight=" + inFlight() + ", handled=" + handled() + ", failed=" + failed()
                + ", lastError=" + this.lastError.get() + "]";
    }
}

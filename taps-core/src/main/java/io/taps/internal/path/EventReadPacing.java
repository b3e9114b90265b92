package io.taps.internal.path;

/**
 * When an event-driven interface read may run (RFC 9623 §7.2; issue 19 item 3: PathChange "within
 * milliseconds", churn debounced). A token bucket of two reads that refills one read per spacing,
 * kept as the time the bucket is full again (the generic cell rate algorithm): after a quiet
 * period, an event and the one that trails it (an address change is followed by IPv6 and link
 * messages that may arrive after the first read began) are each read {@code debounce} later; under
 * sustained churn reads come at most once per spacing. A single "no sooner than one spacing after
 * the previous read" rule made the next real change wait up to a whole spacing whenever a trailing
 * event had just caused a read that found nothing. Not thread-safe: its owner synchronizes.
 */
final class EventReadPacing {
    private final long debounceNanos;
    private final long spacingNanos;
    /**
     * From this time on the bucket holds two reads; from one spacing before it, one; before that, none.
     * Any past time means full.
     */
    private long fullAgainAtNanos;

    EventReadPacing(long debounceNanos, long spacingNanos, long nowNanos) {
        this.debounceNanos = debounceNanos;
        this.spacingNanos = spacingNanos;
        this.fullAgainAtNanos = nowNanos - spacingNanos;
    }

    /** How long a read asked for at {@code nowNanos} waits: the debounce, or until a read is in the bucket. */
    long delayNanos(long nowNanos) {
        return Math.max(debounceNanos, fullAgainAtNanos - spacingNanos - nowNanos);
    }

    /** A read ran at {@code nowNanos}: it takes one read from the bucket. */
    void readAt(long nowNanos) {
        fullAgainAtNanos = Math.max(fullAgainAtNanos, nowNanos) + spacingNanos;
    }
}

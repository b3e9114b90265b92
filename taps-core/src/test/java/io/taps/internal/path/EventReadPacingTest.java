package io.taps.internal.path;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Pacing of event-driven interface reads (issue 19 item 3): fast after quiet, bounded under churn. */
class EventReadPacingTest {
    private static final long MS = 1_000_000L;
    private static final long DEBOUNCE = 5 * MS;
    private static final long SPACING = 100 * MS;

    @Test
    void aChangeRightAfterATrailingEventsReadIsStillReadAfterOnlyTheDebounce() {
        long t = 1_000_000 * MS;
        EventReadPacing pacing = new EventReadPacing(DEBOUNCE, SPACING, t);
        assertThat(pacing.delayNanos(t)).as("first event after start").isEqualTo(DEBOUNCE);
        pacing.readAt(t + DEBOUNCE);
        // A trailing event (IPv6 churn of the same change) reads again and finds nothing ...
        assertThat(pacing.delayNanos(t + 6 * MS)).isEqualTo(DEBOUNCE);
        pacing.readAt(t + 11 * MS);
        // ... then churn waits for the refill: one read per spacing after the first read.
        assertThat(pacing.delayNanos(t + 12 * MS)).isEqualTo(t + DEBOUNCE + SPACING - (t + 12 * MS));
    }

    @Test
    void afterAQuietSpacingAnEventIsReadAfterTheDebounceAgain() {
        long t = 0;
        EventReadPacing pacing = new EventReadPacing(DEBOUNCE, SPACING, t);
        pacing.readAt(t);
        pacing.readAt(t + 10 * MS);
        assertThat(pacing.delayNanos(t + 50 * MS)).isEqualTo(50 * MS);
        assertThat(pacing.delayNanos(t + 2 * SPACING)).isEqualTo(DEBOUNCE);
    }

    @Test
    void sustainedChurnGetsAtMostTwoPlusOneReadPerSpacing() {
        long t = 0;
        EventReadPacing pacing = new EventReadPacing(DEBOUNCE, SPACING, t);
        long now = t;
        long end = t + 10_000 * MS;
        int reads = 0;
        // An event every millisecond for 10 s; each read runs as soon as the pacing lets it.
        while (now < end) {
            now += pacing.delayNanos(now);
            pacing.readAt(now);
            reads++;
            now += MS;
        }
        assertThat(reads).isBetween(100, 10_000 / 100 + 2);
    }
}

package io.taps.monitor;

import io.taps.Connection;
import io.taps.ErrorReason;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How one Initiate ended, as a {@link TransportObserver} sees it: Ready or EstablishmentError
 * (RFC 9622 §7.1), the time from Initiate to that event, the chosen protocol stack and the
 * {@link EstablishmentReport} with every racing attempt (RFC 9623 §4.3).
 *
 * @param succeeded whether the Connection became Ready
 * @param duration  time from Initiate to Ready or EstablishmentError
 * @param protocolStack the winning stack, for example {@code "TCP"}; empty on failure
 * @param failure   the EstablishmentError's reason; empty on success
 * @param report    the establishment report when the outcome was known
 */
public record EstablishmentResult(boolean succeeded, Duration duration, Optional<String> protocolStack,
        Optional<ErrorReason> failure, EstablishmentReport report) {

    public EstablishmentResult {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(protocolStack, "protocolStack");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(report, "report");
    }

    /** How many attempts were started (RFC 9623 §4.3). */
    public int attemptCount() {
        return report.startedAttempts().size();
    }

    /** The started attempts counted by outcome (the winner is the one SUCCEEDED). */
    public Map<EstablishmentReport.Outcome, Integer> attemptOutcomes() {
        Map<EstablishmentReport.Outcome, Integer> counts = new EnumMap<>(EstablishmentReport.Outcome.class);
        for (EstablishmentReport.Attempt attempt : report.startedAttempts()) {
            counts.merge(attempt.outcome(), 1, Integer::sum);
        }
        return counts;
    }
}

package io.taps.spring.boot.autoconfigure;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a taps configuration error found at start-up ({@link ErrorReason#INVALID_PROPERTY} or
 * {@link ErrorReason#INVALID_CONFIGURATION}, RFC 9623 Appendix C ERR-01) into a
 * {@link FailureAnalysis} whose description names the offending {@code taps.*} key. Registered in
 * {@code META-INF/spring.factories} under {@code org.springframework.boot.diagnostics.FailureAnalyzer}.
 */
class TapsConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<TransportServicesException> {

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, TransportServicesException cause) {
        if (cause instanceof TapsConfigurationException configuration) {
            return new FailureAnalysis(
                    "Invalid taps configuration: " + configuration.key() + ": " + configuration.problem() + " ("
                            + configuration.reason().rfcName() + ")",
                    configuration.action(), configuration);
        }
        if (cause.reason() == ErrorReason.INVALID_PROPERTY || cause.reason() == ErrorReason.INVALID_CONFIGURATION) {
            return new FailureAnalysis("Invalid taps configuration: " + cause.getMessage(),
                    "Check the taps.* properties and the TransportServicesCustomizer beans.", cause);
        }
        return null;
    }
}

package io.taps.spring.boot.autoconfigure;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import org.jspecify.annotations.Nullable;

/**
 * A {@code taps.*} configuration value that taps rejects (RFC 9622 Appendix A.2: configuration
 * errors are raised at once), naming the full configuration key such as
 * {@code taps.profiles.chat.selection.reliabilty} and what to do about it.
 * {@link TapsConfigurationFailureAnalyzer} turns it into the start-up failure report.
 */
public class TapsConfigurationException extends TransportServicesException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String problem;
    private final String action;

    public TapsConfigurationException(ErrorReason reason, String key, String problem, String action,
            @Nullable Throwable cause) {
        super(reason, key + ": " + problem, cause);
        this.key = key;
        this.problem = problem;
        this.action = action;
    }

    /**
     * A configuration error at {@code key} caused by {@code cause}, with the cause's message
     * (without its reason prefix) as the problem.
     */
    public static TapsConfigurationException at(String key, TransportServicesException cause, String action) {
        String message = cause.getMessage();
        String prefix = cause.reason().rfcName() + ": ";
        if (message != null && message.startsWith(prefix)) {
            message = message.substring(prefix.length());
        }
        return new TapsConfigurationException(cause.reason(), key, message == null ? cause.toString() : message,
                action, cause);
    }

    /** The full configuration key, for example {@code taps.profiles.chat.framers[0]}. */
    public String key() {
        return this.key;
    }

    /** What is wrong with the value, without the key. */
    public String problem() {
        return this.problem;
    }

    /** What to change to fix it. */
    public String action() {
        return this.action;
    }
}

package io.taps;

import java.util.List;
import java.util.Objects;

/**
 * A Transport Services failure with a typed {@link ErrorReason} (RFC 9622 §3 and Appendix A.2:
 * errors that are detectable at once are raised synchronously; everything else arrives as an
 * error event carrying the same exception).
 *
 * <p>When several attempts failed, for example every candidate of an establishment, each cause is
 * kept as a suppressed exception and is available from {@link #causes()}.
 */
public class TransportServicesException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorReason reason;

    public TransportServicesException(ErrorReason reason, String message) {
        this(reason, message, null);
    }

    public TransportServicesException(ErrorReason reason, String message, Throwable cause) {
        super(reason.rfcName() + ": " + Objects.requireNonNull(message, "message"), cause);
        this.reason = reason;
    }

    /**
     * A failure that only names and types {@code cause}, which carries the stack that matters:
     * without a stack trace of its own when {@code writableStackTrace} is false. taps uses it for
     * the failure of each racing attempt (kept in the establishment's {@link #causes()}), where the
     * event loop's frames would say nothing and filling them cost a stack walk per refused candidate.
     */
    protected TransportServicesException(ErrorReason reason, String message, Throwable cause,
            boolean writableStackTrace) {
        super(reason.rfcName() + ": " + Objects.requireNonNull(message, "message"), cause, true, writableStackTrace);
        this.reason = reason;
    }

    /** The reason of this failure. */
    public ErrorReason reason() {
        return reason;
    }

    /** The direct cause followed by every suppressed cause, in the order they were recorded. */
    public List<Throwable> causes() {
        java.util.ArrayList<Throwable> all = new java.util.ArrayList<>();
        if (getCause() != null) {
            all.add(getCause());
        }
        all.addAll(List.of(getSuppressed()));
        return List.copyOf(all);
    }
}

package io.taps.spring.client;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A send or request did not complete within its timeout: either no Connection became Ready in
 * time ({@link #wasSent()} false; the cause, if any, is the last establishment failure, RFC 9622
 * §7.1 EstablishmentError), or the Message was sent and its Sent event or reply did not come.
 * The client's Connection stays usable: a reply that arrives later is read and dropped. If that
 * reply has not come within the longer of this timeout and the client's {@code request-timeout},
 * the peer no longer answers in order: the Connection is aborted (its other calls in flight fail
 * with {@link TapsClientConnectionException}) and a new one is established, so that no later reply
 * is taken for the answer to the wrong request.
 */
public class TapsRequestTimeoutException extends TapsClientException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    private final boolean sent;

    public TapsRequestTimeoutException(String clientName, String message, Duration timeout, boolean sent,
            @Nullable Throwable cause) {
        super(clientName, message, cause);
        this.timeout = timeout;
        this.sent = sent;
    }

    /** The timeout that ran out. */
    public Duration getTimeout() {
        return this.timeout;
    }

    /** Whether the Message had been handed to a Connection before the timeout ran out. */
    public boolean wasSent() {
        return this.sent;
    }
}

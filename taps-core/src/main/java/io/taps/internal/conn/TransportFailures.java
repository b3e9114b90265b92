package io.taps.internal.conn;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.util.Locale;

/**
 * Names a transport failure for the ConnectionError it causes (RFC 9622 §10): a peer's reset, a
 * local timeout (TCP_USER_TIMEOUT from connTimeout) and an unexplained loss read differently, so
 * an application can tell them apart.
 */
final class TransportFailures {
    private TransportFailures() {
    }

    /** The error for a flow that ended because of {@code cause} (null: it just went away). */
    static TransportServicesException describe(Throwable cause, boolean closing) {
        if (cause instanceof TransportServicesException) {
            return (TransportServicesException) cause;
        }
        if (cause == null) {
            return new TransportServicesException(ErrorReason.CONNECTION_ABORTED, closing
                    ? "the connection went away while closing, before everything queued was sent"
                    : "the peer closed the connection");
        }
        String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        if (cause instanceof java.net.SocketTimeoutException || message.contains("timed out")) {
            return new TransportServicesException(ErrorReason.TIMEOUT, "the transport gave up: the peer acknowledged"
                    + " nothing within the user timeout (connTimeout, RFC 9622 §8.1.3): " + cause.getMessage(), cause);
        }
        if (message.contains("reset") || message.contains("broken pipe")) {
            return new TransportServicesException(ErrorReason.CONNECTION_ABORTED,
                    "the peer reset the connection: " + cause.getMessage(), cause);
        }
        return new TransportServicesException(ErrorReason.CONNECTION_ABORTED, "the connection failed: " + cause, cause);
    }
}

package io.taps.internal.conn;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import java.util.Locale;

/**
 * Names a transport failure for the ConnectionError it causes (RFC 9622 §10): a peer's reset, a
 * local timeout (TCP_USER_TIMEOUT from connTimeout) and an unexplained loss read differently, so
 * an application can tell them apart; and raises the failures that do not end it (SoftError).
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

    /**
     * Raises {@code cause} as a SoftError (RFC 9622 §8.3.1) if it is one, an ICMP port unreachable,
     * when the Connection asked for them; true when it is one, so it does not end the Connection.
     */
    static boolean raisedAsSoftError(TapsConnection connection, Throwable cause) {
        if (!(cause instanceof java.net.PortUnreachableException)) {
            return false;
        }
        Preference notify = connection.store.transportProperties().get(Property.SOFT_ERROR_NOTIFY);
        if (notify == Preference.REQUIRE || notify == Preference.PREFER) {
            TransportServicesException soft = new TransportServicesException(ErrorReason.PROTOCOL_FAILED,
                    "ICMP port unreachable from the remote endpoint", cause);
            connection.emit(() -> connection.handler().softError(connection, soft));
        }
        return true;
    }
}

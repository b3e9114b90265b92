package io.taps.internal.conn;

import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.TransportServicesException;
import java.util.concurrent.CompletableFuture;

/** One outstanding Receive call with its limits. */
final class ReceiveRequest {
    /** {@code minIncompleteLength} when the application gave none. */
    static final int UNSPECIFIED = -1;

    final int minIncompleteLength;
    final int maxLength;
    final CompletableFuture<Message> future;

    ReceiveRequest(int minIncompleteLength, int maxLength, CompletableFuture<Message> future) {
        this.minIncompleteLength = minIncompleteLength;
        this.maxLength = maxLength;
        this.future = future;
    }

    /** Refuses limits Receive (RFC 9622 §9.3.1) cannot honour, on the caller's thread. */
    static void checkLimits(int minIncompleteLength, int maxLength) {
        if (maxLength < 1 || (minIncompleteLength < 0 && minIncompleteLength != UNSPECIFIED)) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "receive needs maxLength >= 1 and minIncompleteLength >= 0, got min=" + minIncompleteLength
                            + " max=" + maxLength);
        }
    }
}

package io.taps.internal.conn;

import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.TransportServicesException;
import java.util.concurrent.CompletableFuture;

/**
 * One outstanding Receive call with its limits. It is also the stage {@code receive}
 * returns and the task that hands the call to the event loop: one object per Receive (issue 21,
 * allocation per round trip).
 */
final class ReceiveRequest extends CompletableFuture<Message> implements Runnable {
    /** {@code minIncompleteLength} when the application gave none. */
    static final int UNSPECIFIED = -1;

    private final ReceivePath path;
    final int minIncompleteLength;
    final int maxLength;

    ReceiveRequest(ReceivePath path, int minIncompleteLength, int maxLength) {
        this.path = path;
        this.minIncompleteLength = minIncompleteLength;
        this.maxLength = maxLength;
    }

    /** Queues the Receive, on the event loop. */
    @Override
    public void run() {
        path.request(this);
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

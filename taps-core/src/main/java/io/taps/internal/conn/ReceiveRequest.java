package io.taps.internal.conn;

import io.taps.Message;
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
}

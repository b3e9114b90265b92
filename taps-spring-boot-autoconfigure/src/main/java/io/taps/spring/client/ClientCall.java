package io.taps.spring.client;

import io.taps.Message;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One send or request of a {@link TapsClient}: the converted Message, how to read its reply (none
 * for a send), its timeout and the stage the caller holds.
 */
final class ClientCall {
    final Message message;

    /** Reads the reply; null for a send, which completes on Sent. */
    final @Nullable Function<Message, @Nullable Object> replyReader;

    final Duration timeout;

    final CompletableFuture<@Nullable Object> result = new CompletableFuture<>();

    /** The channel the Message was handed to; null while the call waits for a Connection. */
    volatile @Nullable ClientChannel channel;

    volatile @Nullable ScheduledFuture<?> timer;

    ClientCall(Message message, @Nullable Function<Message, @Nullable Object> replyReader, Duration timeout) {
        this.message = message;
        this.replyReader = replyReader;
        this.timeout = timeout;
    }

    boolean expectsReply() {
        return this.replyReader != null;
    }

    /** Completes with {@code reply} read as the reply type, unless the call already ended (timed out). */
    void replied(Message reply) {
        if (this.result.isDone() || this.replyReader == null) {
            return;
        }
        try {
            this.result.complete(this.replyReader.apply(reply));
        }
        catch (RuntimeException ex) {
            this.result.completeExceptionally(ex);
        }
    }

    void fail(Throwable failure) {
        this.result.completeExceptionally(failure);
    }
}

package io.taps.spring.listener;

import io.taps.Connection;
import io.taps.Message;
import io.taps.spring.convert.TapsMessageConverters;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.springframework.util.MimeType;

/**
 * Sends what a {@link TapsListener} or {@link TapsExceptionHandler} method returned as replies on
 * the Connection (RFC 9622 §9.2 Send): nothing for {@code null}, one reply for a value or a
 * completed {@link CompletionStage}, one per element of a {@code Mono}/{@code Flux}, each converted
 * with the listener's converters and content type. The returned stage completes when the last reply
 * was Sent; it fails with the handler's own asynchronous error as it is, or with a
 * {@link TapsReplyException} when a reply could not be converted or Sent (SendError, a framer
 * rejecting it, the Connection gone), so no reply is lost silently.
 */
final class ReplySender {
    private final TapsMessageConverters converters;
    private final @Nullable MimeType contentType;

    ReplySender(TapsMessageConverters converters, @Nullable MimeType contentType) {
        this.converters = converters;
        this.contentType = contentType;
    }

    CompletionStage<Void> send(Connection connection, @Nullable Object result) {
        if (result == null) {
            return CompletableFuture.completedFuture(null);
        }
        if (result instanceof CompletionStage<?> stage) {
            return stage.thenCompose(value -> sendOne(connection, value));
        }
        if (ReactorReplies.isPublisher(result)) {
            return ReactorReplies.sendAll(result, value -> sendOne(connection, value));
        }
        return sendOne(connection, result);
    }

    private CompletionStage<Void> sendOne(Connection connection, @Nullable Object value) {
        if (value == null) {
            return CompletableFuture.completedFuture(null);
        }
        Message reply;
        try {
            reply = this.converters.write(value, this.contentType);
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(new TapsReplyException("the reply (a " + value.getClass().getName()
                    + ") could not be converted: " + ex.getMessage(), value, ex));
        }
        CompletionStage<?> sent;
        try {
            sent = connection.send(reply);
        }
        catch (RuntimeException ex) {
            sent = CompletableFuture.failedFuture(ex);
        }
        return sent.handle((context, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
                        : error;
                throw new CompletionException(new TapsReplyException("the reply (" + reply.length()
                        + " bytes) could not be sent: " + cause.getMessage(), reply, cause));
            }
            return null;
        });
    }
}

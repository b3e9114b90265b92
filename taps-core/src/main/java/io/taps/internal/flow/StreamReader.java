package io.taps.internal.flow;

import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;

/**
 * {@code Connection.receiveAll(maxBytes)} and {@code Connection.receiveTo(channel)}: everything the
 * peer sends up to its end of stream (RFC 9622 §9.3.3.3), read through the Connection's
 * {@link ReceivePublisher} one Message at a time, so at most one Message plus the Connection's
 * receive budget is in memory besides what is collected.
 */
public final class StreamReader {
    private StreamReader() {
    }

    /**
     * Collects the stream into one Message of at most {@code maxBytes}; more fails the stage with
     * MessageTooLarge and stops reading (the rest stays unread).
     */
    public static CompletionStage<Message> collect(Flow.Publisher<Message> messages, int maxBytes) {
        if (maxBytes < 0) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "maxBytes must be >= 0, was " + maxBytes);
        }
        CompletableFuture<Message> result = new CompletableFuture<>();
        messages.subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;
            private byte[] collected = new byte[Math.min(maxBytes, 64 * 1024)];
            private int length;
            private MessageContext lastContext = MessageContext.create();

            @Override
            public void onSubscribe(Flow.Subscription newSubscription) {
                subscription = newSubscription;
                subscription.request(1);
            }

            @Override
            public void onNext(Message message) {
                if ((long) length + message.length() > maxBytes) {
                    subscription.cancel();
                    result.completeExceptionally(new TransportServicesException(ErrorReason.MESSAGE_TOO_LARGE,
                            "the peer's stream holds more than maxBytes=" + maxBytes + " bytes"));
                    return;
                }
                if (length + message.length() > collected.length) {
                    collected = Arrays.copyOf(collected,
                            (int) Math.min(maxBytes, Math.max(2L * collected.length, length + message.length())));
                }
                message.asByteBuffer().get(collected, length, message.length());
                length += message.length();
                lastContext = message.context();
                subscription.request(1);
            }

            @Override
            public void onError(Throwable error) {
                result.completeExceptionally(error);
            }

            @Override
            public void onComplete() {
                byte[] bytes = length == collected.length ? collected : Arrays.copyOf(collected, length);
                // The end of stream came as this context's Final twin (an empty Final Message is not emitted).
                result.complete(Message.wrap(bytes).withContext(MessageContext.received(
                        lastContext.remoteEndpoint().orElse(null), lastContext.localEndpoint().orElse(null), true)));
            }
        });
        return result;
    }

    /**
     * Writes the stream to {@code target} (a FileChannel, say) and completes with the bytes written.
     * Writing blocks, so it runs on a thread of its own, never on an event loop; the next Message is
     * requested only once the previous one is written. The target is not closed.
     */
    public static CompletionStage<Long> writeTo(Flow.Publisher<Message> messages, WritableByteChannel target) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        ExecutorService writer = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "taps-receiveTo");
            thread.setDaemon(true);
            return thread;
        });
        result.whenComplete((bytes, failure) -> writer.shutdown());
        messages.subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;
            private long written;

            @Override
            public void onSubscribe(Flow.Subscription newSubscription) {
                subscription = newSubscription;
                subscription.request(1);
            }

            @Override
            public void onNext(Message message) {
                writer.execute(() -> {
                    try {
                        ByteBuffer data = message.asByteBuffer();
                        while (data.hasRemaining()) {
                            target.write(data);
                        }
                        written += message.length();
                        subscription.request(1);
                    } catch (IOException | RuntimeException failure) {
                        subscription.cancel();
                        result.completeExceptionally(failure);
                    }
                });
            }

            @Override
            public void onError(Throwable error) {
                writer.execute(() -> result.completeExceptionally(error));
            }

            @Override
            public void onComplete() {
                writer.execute(() -> result.complete(written));
            }
        });
        return result;
    }
}

package io.taps.internal.flow;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.TransportServicesException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * {@code Connection.sendAll(publisher)}: sends every Message a Flow.Publisher emits (RFC 9622
 * §9.2 Send), asking it for the next one only while the bytes sent but not yet confirmed by their
 * Sent event stay below a window. The window is well under {@code _taps.sendQueueLimit}, so a bulk
 * transfer never meets SendQueueFull and holds at most the window (plus one Message) in memory,
 * however fast the publisher could produce.
 *
 * <p>Messages are requested one at a time, and a request made while an onNext runs only marks that
 * another is wanted (no recursion, whatever the publisher does inline). Every Send is handed to the
 * Connection's event loop in onNext order, so the Messages leave in the order they were published
 * even when the publisher switches threads. The first SendError cancels the publisher and fails the
 * stage with it; onError of the publisher fails the stage too (what was already sent stays sent).
 */
public final class PublisherSender implements Flow.Subscriber<Message> {
    /** The most Messages in flight, however small they are: bounds the per-Message bookkeeping. */
    static final int MAX_MESSAGES_IN_FLIGHT = 4096;

    private final Connection connection;
    private final Executor loop;
    private final long window;
    private final CompletableFuture<Long> result = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private long inFlightBytes;
    private int inFlightMessages;
    private boolean requested;
    private boolean upstreamDone;
    private boolean failed;
    private long sentBytes;
    private boolean pumping;
    private boolean pumpAgain;

    /**
     * @param loop the Connection's event loop: every Send is submitted through it, in order
     * @param window the bytes sent but not yet Sent above which no further Message is requested
     */
    public PublisherSender(Connection connection, Executor loop, long window) {
        if (window <= 0) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "the send window must be positive, was " + window);
        }
        this.connection = connection;
        this.loop = loop;
        this.window = window;
    }

    /** Subscribes to {@code source} and returns the stage that completes with the bytes sent. */
    public CompletionStage<Long> sendAll(Flow.Publisher<? extends Message> source) {
        source.subscribe(this);
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription newSubscription) {
        synchronized (this) {
            if (subscription != null) {
                newSubscription.cancel(); // Reactive Streams rule 2.5
                return;
            }
            subscription = newSubscription;
        }
        pump();
    }

    @Override
    public void onNext(Message message) {
        int length = message.length();
        boolean unrequested;
        synchronized (this) {
            if (failed) {
                return;
            }
            unrequested = !requested;
            if (unrequested) {
                failed = true;
            } else {
                requested = false;
                inFlightBytes += length;
                inFlightMessages++;
            }
        }
        if (unrequested) {
            subscription.cancel();
            result.completeExceptionally(new IllegalStateException("the publisher emitted a Message that was not"
                    + " requested (Reactive Streams rule 1.1)"));
            return;
        }
        loop.execute(() -> connection.send(message).whenComplete((context, failure) -> sent(length, failure)));
        pump();
    }

    private void sent(int length, Throwable failure) {
        boolean finished;
        synchronized (this) {
            inFlightBytes -= length;
            inFlightMessages--;
            if (failure != null) {
                if (failed) {
                    return;
                }
                failed = true;
            } else {
                sentBytes += length;
            }
            finished = !failed && upstreamDone && inFlightMessages == 0;
        }
        if (failure != null) {
            subscription.cancel();
            result.completeExceptionally(unwrap(failure));
            return;
        }
        if (finished) {
            result.complete(sentBytes());
            return;
        }
        pump();
    }

    @Override
    public void onError(Throwable error) {
        synchronized (this) {
            if (failed) {
                return;
            }
            failed = true;
        }
        result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        boolean finished;
        synchronized (this) {
            upstreamDone = true;
            finished = !failed && inFlightMessages == 0;
        }
        if (finished) {
            result.complete(sentBytes());
        }
    }

    private synchronized long sentBytes() {
        return sentBytes;
    }

    /** Requests the next Message while the window allows, without recursing through an inline onNext. */
    private void pump() {
        synchronized (this) {
            if (pumping) {
                pumpAgain = true;
                return;
            }
            pumping = true;
        }
        while (true) {
            Flow.Subscription ask;
            synchronized (this) {
                boolean room = subscription != null && !failed && !upstreamDone && !requested
                        && inFlightBytes < window && inFlightMessages < MAX_MESSAGES_IN_FLIGHT;
                if (room) {
                    requested = true;
                    pumpAgain = false;
                    ask = subscription;
                } else if (pumpAgain) {
                    pumpAgain = false;
                    continue;
                } else {
                    pumping = false;
                    return;
                }
            }
            ask.request(1);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}

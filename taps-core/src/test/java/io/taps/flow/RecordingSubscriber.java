package io.taps.flow;

import io.taps.Message;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A Flow subscriber that records every signal in order (for the Reactive Streams rules), hashes
 * the bytes of the Messages it gets with SHA-256, and requests only when the test says so, or
 * one more after each onNext when {@code autoRequest} is set.
 */
final class RecordingSubscriber<T> implements Flow.Subscriber<T> {
    final List<String> signals = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger items = new AtomicInteger();
    final AtomicInteger concurrent = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    final List<T> kept = new CopyOnWriteArrayList<>();
    private final MessageDigest sha256;
    private volatile Flow.Subscription subscription;
    private volatile boolean autoRequest;
    private volatile Consumer<T> onItem = item -> { };

    RecordingSubscriber() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    RecordingSubscriber<T> autoRequest() {
        autoRequest = true;
        return this;
    }

    RecordingSubscriber<T> onItem(Consumer<T> action) {
        onItem = action;
        return this;
    }

    void request(long n) {
        subscription.request(n);
    }

    void cancel() {
        subscription.cancel();
    }

    Flow.Subscription subscription() {
        return subscription;
    }

    /** The SHA-256 of every Message's bytes, in order (only for Message items). */
    synchronized byte[] digest() {
        return sha256.digest();
    }

    @Override
    public void onSubscribe(Flow.Subscription newSubscription) {
        signals.add("onSubscribe");
        subscription = newSubscription;
        if (autoRequest) {
            newSubscription.request(1);
        }
    }

    @Override
    public void onNext(T item) {
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        try {
            signals.add("onNext");
            items.incrementAndGet();
            if (item instanceof Message) {
                Message message = (Message) item;
                synchronized (this) {
                    sha256.update(message.asByteBuffer());
                }
                bytes.addAndGet(message.length());
            } else {
                kept.add(item);
            }
            onItem.accept(item);
        } finally {
            concurrent.decrementAndGet();
        }
        if (autoRequest) {
            subscription.request(1);
        }
    }

    @Override
    public void onError(Throwable error) {
        signals.add("onError:" + error.getClass().getSimpleName());
        done.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        signals.add("onComplete");
        done.complete(null);
    }
}

package io.taps.internal.conn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.properties.MessageProperties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One Send call (RFC 9622 §9.2): the data, the context that identifies its Message, and what the
 * scheduler needs (priority, ordering, Final, lifetime deadline) while it waits in taps' own queue.
 *
 * <p>It is also the stage {@code send} returns, the task that hands the call to the event loop
 * and the listener of its write: one object per Send rather than four (issue 21, allocation per
 * round trip). The scheduling fields are set by {@link SendPath#submit} on the event loop.
 *
 * <p>A Send made by {@code sendWithEvents} is {@linkplain #pooled pooled}: no stage is handed out,
 * so nobody but taps holds it, and once its Sent, Expired or SendError has been raised it goes
 * back to its event loop thread's {@link SendPool} for the next such Send of any Connection of
 * that loop (with its {@link SendPromise}, unless a channel may still report to that). Its
 * CompletableFuture half is never completed, so it stays reusable.
 */
final class PendingSend extends CompletableFuture<MessageContext>
        implements Runnable, GenericFutureListener<Future<? super Void>> {
    /** The send path of the Connection it serves; a pooled Send is given to the next one that takes it. */
    private SendPath path;
    /** Whether this Send reports only through events and is reused once it has ended. */
    final boolean pooled;
    Message message;
    /**
     * The Send's own reference to a borrowed Message's bytes (taps' receive buffer), written down
     * the link as it is; null for an owned Message, and once written or released.
     */
    private ByteBuf carried;
    /** The Message's length, read when the Send was made: a borrowed one cannot be read after its handler. */
    private int size;
    MessageContext context;
    boolean endOfMessage;
    int priority;
    boolean ordered;
    boolean isFinal;
    /** The Message Properties in effect (the context's over the Connection's defaults). */
    MessageProperties effective;
    ScheduledFuture<?> expiry;
    /** The promise of this Send's channel writes, made on its first one; a pooled Send keeps it. */
    private SendPromise promise;

    /**
     * A Send of {@code message}; {@code carried} is the Send's own reference to the bytes of a
     * borrowed one ({@link SendPath#carriedBytes}), which it now owns, or null.
     */
    PendingSend(SendPath path, Message message, ByteBuf carried, MessageContext context, boolean endOfMessage,
            boolean pooled) {
        this.path = path;
        this.pooled = pooled;
        carry(message, carried);
        this.context = context;
        this.endOfMessage = endOfMessage;
    }

    /** Makes this (idle, pooled) Send carry {@code sent} (and {@code sentBytes}, as above) for {@code sender}. */
    void reuse(SendPath sender, Message sent, ByteBuf sentBytes) {
        path = sender;
        carry(sent, sentBytes);
        context = sent.context();
        endOfMessage = sent.endOfMessage();
    }

    /**
     * Drops every reference to the application's data before this Send waits in the pool. A
     * promise whose write the channel has not reported yet (the Send ended with its Connection) is
     * dropped too, not only disarmed: the channel still holds it and reports to it later, which
     * must never reach the Send this one carries next, maybe for another Connection.
     */
    void clear() {
        cancelExpiry();
        releaseCarried();
        if (promise != null && promise.disarm()) {
            promise = null;
        }
        message = null;
        context = null;
        effective = null;
        isFinal = false;
    }

    private void carry(Message sent, ByteBuf sentBytes) {
        message = sent;
        carried = sentBytes;
        size = sentBytes != null ? sentBytes.readableBytes() : sent.length();
    }

    int size() {
        return size;
    }

    /** The carried bytes, handed over to the caller (who writes or releases them), or null. */
    ByteBuf takeCarried() {
        ByteBuf bytes = carried;
        carried = null;
        return bytes;
    }

    /**
     * Lets go of the carried bytes unless they were written: every way a Send ends passes here
     * (and a Send the event loop refused), so none stays retained.
     */
    void releaseCarried() {
        ByteBuf bytes = takeCarried();
        if (bytes != null) {
            bytes.release();
        }
    }

    void cancelExpiry() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }

    /** Lets go of its Connection and channel before it waits in its {@link SendPool}; on the event loop. */
    void pooled() {
        path = null;
        if (promise != null) {
            promise.unbind();
        }
    }

    /** The promise for this Send's write to {@code channel}, armed for it. */
    ChannelPromise promiseFor(Channel channel) {
        if (promise == null || promise.channel() != channel && !promise.rebind(channel)) {
            promise = new SendPromise(channel);
        }
        return promise.arm(this);
    }

    /** Sent was raised: completes the stage, or returns a pooled Send to its pool. */
    void succeed() {
        releaseCarried();
        if (pooled) {
            path.recycle(this);
        } else {
            complete(context);
        }
    }

    /** Expired or SendError was raised (or the Send ended silently): fails the stage, or recycles. */
    void fail(Throwable error) {
        releaseCarried();
        if (pooled) {
            path.recycle(this);
        } else {
            completeExceptionally(error);
        }
    }

    /**
     * Ended (SendError raised) while its write was not reported yet, as the Connection failed:
     * fails the stage, and a pooled Send is only cleared, never pooled again, since the link may
     * still report that write to it (it is the listener of a link's future) and must not reach
     * the Send it would carry next, maybe for another Connection ({@link SendPool}).
     */
    void failUnreported(Throwable error) {
        releaseCarried();
        if (pooled) {
            clear();
        } else {
            completeExceptionally(error);
        }
    }

    /** Submits the Send, on the event loop. */
    @Override
    public void run() {
        path.submit(this);
    }

    /** This Send's write completed: {@code cause} is null on success. */
    void writeCompleted(Throwable cause) {
        path.written(this, cause);
    }

    /** A write of this Send that went through a link's own future (not a {@link SendPromise}) completed. */
    @Override
    public void operationComplete(Future<? super Void> written) {
        writeCompleted(written.isSuccess() ? null : failureOf(written));
    }

    private static Throwable failureOf(Future<?> written) {
        Throwable cause = written.cause();
        return cause != null ? cause : new java.util.concurrent.CancellationException("the write was cancelled");
    }
}

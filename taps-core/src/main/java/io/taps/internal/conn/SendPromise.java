package io.taps.internal.conn;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

/**
 * The promise of one {@link PendingSend}'s channel write, reusable because it keeps no state of its
 * own: the pipeline's success or failure of the write goes straight to the Send (Sent or
 * SendError) and the promise is then free for that Send's next use. A pooled Send keeps its
 * promise, so the steady send path makes no {@code ChannelPromise} per Message (issue 21), while
 * failures still come back per Message, which the channel's void promise would not give.
 *
 * <p>It is never done as far as Netty is concerned, so it must only be used as the promise of a
 * write on its channel, never handed to code that waits on it or adds listeners to it (which it
 * refuses). Runs on the channel's event loop.
 */
final class SendPromise extends DefaultChannelPromise {
    /** The Send whose write is under way, or null. */
    private PendingSend owner;

    SendPromise(Channel channel) {
        super(channel);
    }

    SendPromise arm(PendingSend send) {
        owner = send;
        return this;
    }

    /** Forgets a write that will be reported no more (its Send ended with the Connection). */
    void disarm() {
        owner = null;
    }

    private void finish(Throwable cause) {
        PendingSend send = owner;
        if (send != null) {
            owner = null;
            send.writeCompleted(cause);
        }
    }

    @Override
    public ChannelPromise setSuccess(Void result) {
        finish(null);
        return this;
    }

    @Override
    public ChannelPromise setSuccess() {
        finish(null);
        return this;
    }

    @Override
    public boolean trySuccess() {
        finish(null);
        return true;
    }

    @Override
    public boolean trySuccess(Void result) {
        finish(null);
        return true;
    }

    @Override
    public ChannelPromise setFailure(Throwable cause) {
        finish(cause);
        return this;
    }

    @Override
    public boolean tryFailure(Throwable cause) {
        finish(cause);
        return true;
    }

    @Override
    public boolean setUncancellable() {
        return true;
    }

    @Override
    public boolean isCancellable() {
        return false;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return false;
    }

    @Override
    public boolean isCancelled() {
        return false;
    }

    @Override
    public boolean isDone() {
        return false;
    }

    @Override
    public boolean isSuccess() {
        return false;
    }

    @Override
    public Throwable cause() {
        return null;
    }

    @Override
    public ChannelPromise addListener(GenericFutureListener<? extends Future<? super Void>> listener) {
        throw new UnsupportedOperationException("a Send's write promise reports to its Send only");
    }

    @Override
    @SafeVarargs
    @SuppressWarnings("varargs")
    public final ChannelPromise addListeners(GenericFutureListener<? extends Future<? super Void>>... listeners) {
        throw new UnsupportedOperationException("a Send's write promise reports to its Send only");
    }

    @Override
    public String toString() {
        return "SendPromise[" + (owner == null ? "idle" : "write under way") + "]";
    }
}

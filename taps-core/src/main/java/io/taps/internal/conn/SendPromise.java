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
 * <p>Pooled Sends serve every Connection of their event loop ({@link SendPool}), so the promise
 * serves whichever channel its Send writes to next: {@link #channel()} is its own field, bound
 * for each write and unbound while pooled. {@code DefaultChannelPromise} keeps a final channel,
 * which only its own {@code channel()} reads; it gets one unregistered {@link #PLACEHOLDER} for
 * the JVM instead, so that a pooled promise pins no channel it once served. It is rebound only
 * while no write of it is unreported ({@link #rebind}); one the channel may still report to is
 * dropped by its Send ({@link PendingSend#clear}).
 *
 * <p>It is never done as far as Netty is concerned, so it must only be used as the promise of a
 * write on its channel, never handed to code that waits on it or adds listeners to it (which it
 * refuses). Runs on the channel's event loop.
 */
final class SendPromise extends DefaultChannelPromise {
    /** Stands for the channel in the superclass, which never reads it once {@link #channel()} is overridden. */
    private static final Channel PLACEHOLDER = new io.netty.channel.embedded.EmbeddedChannel(false, false);
    /** The Send whose write is under way, or null. */
    private PendingSend owner;
    /** The channel of the current or next write; null while pooled. */
    private Channel channel;

    SendPromise(Channel channel) {
        super(PLACEHOLDER);
        this.channel = channel;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    /** Serves {@code next} from now on, if no write of it is unreported; false (unchanged) otherwise. */
    boolean rebind(Channel next) {
        if (owner != null) {
            return false;
        }
        channel = next;
        return true;
    }

    /** Lets go of the channel while its Send waits in the pool (the promise is idle). */
    void unbind() {
        if (owner == null) {
            channel = null;
        }
    }

    SendPromise arm(PendingSend send) {
        owner = send;
        return this;
    }

    /**
     * Forgets a write that will be reported no more to its Send (it ended with the Connection);
     * true when one was under way, whose channel may still report it to this promise.
     */
    boolean disarm() {
        boolean armed = owner != null;
        owner = null;
        return armed;
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

package io.taps.internal.conn;

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
 */
final class PendingSend extends CompletableFuture<MessageContext>
        implements Runnable, GenericFutureListener<Future<? super Void>> {
    private final SendPath path;
    final Message message;
    final MessageContext context;
    final boolean endOfMessage;
    int priority;
    boolean ordered;
    boolean isFinal;
    /** The Message Properties in effect (the context's over the Connection's defaults). */
    MessageProperties effective;
    ScheduledFuture<?> expiry;

    PendingSend(SendPath path, Message message, MessageContext context, boolean endOfMessage) {
        this.path = path;
        this.message = message;
        this.context = context;
        this.endOfMessage = endOfMessage;
    }

    int size() {
        return message.length();
    }

    void cancelExpiry() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }

    /** Submits the Send, on the event loop. */
    @Override
    public void run() {
        path.submit(this);
    }

    /** The link's write of this Send completed. */
    @Override
    public void operationComplete(Future<? super Void> written) {
        path.written(this, written);
    }
}

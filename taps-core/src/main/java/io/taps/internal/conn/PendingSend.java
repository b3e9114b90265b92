package io.taps.internal.conn;

import io.taps.Message;
import io.taps.MessageContext;
import io.taps.properties.MessageProperties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One Send call waiting in taps' own queue: the data, the context that identifies its Message,
 * and what the scheduler needs (priority, ordering, Final, lifetime deadline).
 */
final class PendingSend {
    final Message message;
    final MessageContext context;
    final boolean endOfMessage;
    final long sequence;
    final int priority;
    final boolean ordered;
    final boolean isFinal;
    final CompletableFuture<MessageContext> future;
    /** The Message Properties in effect (the context's over the Connection's defaults). */
    final MessageProperties effective;
    ScheduledFuture<?> expiry;

    PendingSend(Message message, MessageContext context, boolean endOfMessage, long sequence, int priority,
            boolean ordered, boolean isFinal, CompletableFuture<MessageContext> future, MessageProperties effective) {
        this.message = message;
        this.context = context;
        this.endOfMessage = endOfMessage;
        this.sequence = sequence;
        this.priority = priority;
        this.ordered = ordered;
        this.isFinal = isFinal;
        this.future = future;
        this.effective = effective;
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
}

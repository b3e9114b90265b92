package io.taps.internal.flow;

import io.taps.Connection;
import io.taps.Message;
import java.util.concurrent.CompletionException;

/**
 * {@code Connection.messages()}: the Connection's received Messages as a Flow.Publisher, each
 * fetched by one Receive (RFC 9622 §9.3.1) issued only while the subscriber has demand, one at a
 * time. With no Receive waiting, the Connection stops reading from the socket once its receive
 * budget of memory is buffered ({@code ReceivePath}'s high-water mark), so a subscriber that
 * requests slowly slows the peer through transport flow control instead of filling memory.
 *
 * <p>The peer's end of stream (the Message whose context is Final, RFC 9622 §9.3.3.3) is the last
 * onNext, or only onComplete when it carries no bytes; a ReceiveError or ConnectionError is onError.
 */
public final class ReceivePublisher extends DemandPublisher<Message> {
    private final Connection connection;
    private Message ready;
    private boolean receiving;
    private Object end;

    public ReceivePublisher(Connection connection) {
        super("the Messages of " + connection);
        this.connection = connection;
    }

    @Override
    protected boolean hasItem() {
        return ready != null;
    }

    @Override
    protected Message takeItem() {
        Message item = ready;
        ready = null;
        return item;
    }

    @Override
    protected Object terminal() {
        return end;
    }

    @Override
    protected Runnable fetch() {
        if (receiving || ready != null || end != null) {
            return null;
        }
        receiving = true;
        return () -> connection.receive().whenComplete(this::received);
    }

    private void received(Message message, Throwable failure) {
        synchronized (this) {
            receiving = false;
            if (failure != null) {
                end = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            } else {
                if (message.endOfStream()) {
                    end = COMPLETE;
                }
                // An empty Final Message is only the peer's end: onComplete says it.
                if (!message.endOfStream() || message.length() > 0) {
                    ready = message;
                }
            }
        }
        signal();
    }
}

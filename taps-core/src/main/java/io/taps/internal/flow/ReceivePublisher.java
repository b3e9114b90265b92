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
public final class ReceivePublisher extends SingleFetchPublisher<Message> {
    private final Connection connection;

    public ReceivePublisher(Connection connection) {
        super("the Messages of " + connection);
        this.connection = connection;
    }

    @Override
    protected void startFetch() {
        connection.receive().whenComplete(this::received);
    }

    private void received(Message message, Throwable failure) {
        if (failure != null) {
            fetched(null, failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                    : failure);
            return;
        }
        // An empty Final Message is only the peer's end: onComplete says it.
        boolean onlyTheEnd = message.endOfStream() && message.length() == 0;
        fetched(onlyTheEnd ? null : message, message.endOfStream() ? COMPLETE : null);
    }
}

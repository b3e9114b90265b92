package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.taps.Connection;
import io.taps.Message;
import io.taps.spring.listener.RunningTapsListener;

/**
 * What a {@code @TapsListener} message-handling Observation knows: listener, Connection, Message.
 * A {@link ReceiverContext} of kind {@link Kind#SERVER}, as Micrometer's conventions have it for
 * the side that handles a request and replies, so a tracer makes a server span. The carrier is the
 * Message; it yields no trace headers (a TAPS Message has none), so each handling starts a trace.
 */
public final class ListenerMessageObservationContext extends ReceiverContext<Message> {
    private final RunningTapsListener listener;
    private final Connection connection;
    private final Message message;

    public ListenerMessageObservationContext(RunningTapsListener listener, Connection connection, Message message) {
        super((carrier, key) -> null, Kind.SERVER);
        this.listener = listener;
        this.connection = connection;
        this.message = message;
        setCarrier(message);
    }

    public RunningTapsListener getListener() {
        return listener;
    }

    public Connection getConnection() {
        return connection;
    }

    public Message getMessage() {
        return message;
    }
}

package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.observation.Observation;
import io.taps.Connection;
import io.taps.Message;
import io.taps.spring.listener.RunningTapsListener;

/** What a {@code @TapsListener} message-handling Observation knows: listener, Connection, Message. */
public final class ListenerMessageObservationContext extends Observation.Context {
    private final RunningTapsListener listener;
    private final Connection connection;
    private final Message message;

    public ListenerMessageObservationContext(RunningTapsListener listener, Connection connection, Message message) {
        this.listener = listener;
        this.connection = connection;
        this.message = message;
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

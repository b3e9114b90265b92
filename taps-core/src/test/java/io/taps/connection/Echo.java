package io.taps.connection;

import io.taps.Connection;
import io.taps.Message;

/** A taps echo server behaviour: every received message or part is sent back; the peer's end closes. */
final class Echo {
    private Echo() {
    }

    static void serve(Connection connection) {
        connection.receive().whenComplete((message, failure) -> {
            if (failure != null) {
                return;
            }
            if (message.length() > 0) {
                connection.send(Message.of(message.bytes()).withContext(io.taps.MessageContext.of(
                        message.context().properties())));
            }
            if (message.endOfMessage() && message.context().isFinal()) {
                connection.close();
            } else {
                serve(connection);
            }
        });
    }
}

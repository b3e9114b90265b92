package io.taps.spring.listener;

import io.taps.Connection;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.util.concurrent.TimeUnit;

/**
 * A raw taps client (a plain Connection, not a {@code taps.clients} {@link io.taps.spring.client.TapsClient})
 * on its own Transport Services system, for tests that stop the server's.
 */
final class RawTestClient implements AutoCloseable {
    private final TransportServices services = TransportServices.builder().eventLoopThreads(1).build();

    /** A length-prefix framed plain TCP connection to 127.0.0.1:{@code port}, Ready. */
    Connection connect(int port) throws Exception {
        return connect(port, SecurityParameters.disabled());
    }

    Connection connect(int port, SecurityParameters security) throws Exception {
        Connection connection = this.services.preconnection()
            .remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
            .properties(TransportProperties.reliableMessage())
            .security(security)
            .framer(LengthPrefixFramer.factory(4))
            .build()
            .initiate();
        connection.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return connection;
    }

    static String exchange(Connection connection, String text) throws Exception {
        connection.send(Message.of(text));
        return connection.receive().toCompletableFuture().get(10, TimeUnit.SECONDS).asString();
    }

    @Override
    public void close() {
        this.services.close();
    }
}

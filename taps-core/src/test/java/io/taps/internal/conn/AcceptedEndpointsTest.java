package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.OneLoopTapsTestSupport;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * An accepted Connection knows only the endpoints of its flow, so it keeps no {@link KnownEndpoints}
 * (32 B of every accepted Connection, issue 21 figure 12) until something else becomes known
 * (AddRemote, AddLocal, their removal); the lists read the same either way (RFC 9622 §7.5).
 */
class AcceptedEndpointsTest extends OneLoopTapsTestSupport {
    @Test
    void anAcceptedConnectionMakesItsKnownEndpointsOnlyWhenOneIsAdded() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.reliableInorderStream())
                .security(SecurityParameters.disabled()).build().listen(accepted::add);
        Await.result(listener.ready());
        try (listener; Socket client = new Socket("127.0.0.1", listener.port())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() == 1);
            TapsConnection connection = (TapsConnection) accepted.get(0);
            RemoteEndpoint peer = RemoteEndpoint.ofAddress("127.0.0.1", client.getLocalPort());
            LocalEndpoint local = LocalEndpoint.ofAddress("127.0.0.1", listener.port());
            assertThat(endpointsObject(connection)).as("nothing known but the flow's endpoints").isNull();
            assertThat(connection.remoteEndpoints()).containsExactly(peer);
            assertThat(connection.localEndpoints()).containsExactly(local);
            assertThat(endpointsObject(connection)).as("reading them makes nothing").isNull();

            RemoteEndpoint other = RemoteEndpoint.ofAddress("127.0.0.1", 9);
            connection.addRemote(other);
            assertThat(endpointsObject(connection)).isNotNull();
            assertThat(connection.remoteEndpoints()).containsExactly(peer, other);
            assertThat(connection.localEndpoints()).containsExactly(local);
            connection.removeRemote(other);
            assertThat(connection.remoteEndpoints()).containsExactly(peer);
        }
    }

    /** Its KnownEndpoints, or null; since session 18 in the Connection's extras, themselves made on first use. */
    private static Object endpointsObject(TapsConnection connection) throws ReflectiveOperationException {
        java.lang.reflect.Field field = TapsConnection.class.getDeclaredField("extras");
        field.setAccessible(true);
        ConnectionExtras extras = (ConnectionExtras) field.get(connection);
        return extras == null ? null : extras.endpoints;
    }
}

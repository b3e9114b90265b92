package io.taps.internal.listen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.endpoint.LocalEndpoint;
import io.taps.properties.ConnectionState;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The concurrency cap's slots as the Listener counts them without a set of its delivered
 * Connections (issue 21, figure 12): a Connection that waited at the cap and was delivered later
 * gives its slot back when it ends, so a next waiting one follows, again and again.
 */
class ListenerSlotsTest extends TapsTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void connectionsDeliveredFromTheHeldOnesGiveTheirSlotBack() throws Exception {
        List<Connection> delivered = new CopyOnWriteArrayList<>();
        TransportProperties capped = TransportProperties.builder().set("_taps.maxConcurrentConnections", 1).build();
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).properties(capped)
                .security(SecurityParameters.disabled()).build().listen(delivered::add);
        Await.result(listener.ready());
        List<Socket> clients = new CopyOnWriteArrayList<>();
        try (listener) {
            clients.add(new Socket("127.0.0.1", listener.port()));
            await().atMost(WAIT).until(() -> delivered.size() == 1);
            // A second client connects and waits (held, or in the backlog while accepting is paused).
            clients.add(new Socket("127.0.0.1", listener.port()));
            for (int round = 1; round <= 3; round++) {
                Connection current = delivered.get(round - 1);
                // The next client waits at the cap while the current one is open.
                clients.add(new Socket("127.0.0.1", listener.port()));
                current.abort();
                await().atMost(WAIT).until(() -> current.state() == ConnectionState.CLOSED);
                int expected = round + 1;
                await().atMost(WAIT).until(() -> delivered.size() >= expected);
                assertThat(delivered).as("round %d: one waiting client per freed slot", round).hasSize(expected);
            }
            // Each a different client's (which of the waiting ones comes first is the accept order's).
            assertThat(delivered.stream().map(c -> c.remoteEndpoint().orElseThrow().port().orElseThrow()).distinct())
                    .hasSize(4)
                    .allMatch(port -> clients.stream().anyMatch(client -> client.getLocalPort() == port));
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }
}

package io.taps.connection;

import io.taps.testing.TapsTestSupport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.ConnectionState;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TCP echo over real loopback sockets, IPv4 and IPv6, with every event in RFC 9622 order (E-21). */
class TcpConnectionTest extends TapsTestSupport {



    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void echoesBytesExactlyAndDeliversEventsInOrder_E21(String address) {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress(address, 0)).build()
                .listen(Echo::serve);
        Await.result(listener.ready());
        RecordingHandler events = new RecordingHandler();
        Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress(address, listener.port())).build()
                .initiate(events);
        Await.result(client.ready());
        assertThat(client.protocolStack()).contains("TCP");
        assertThat(client.state()).isEqualTo(ConnectionState.ESTABLISHED);

        byte[] payload = new byte[100_000];
        new java.util.Random(7).nextBytes(payload);
        Await.result(client.send(Message.of(payload)));
        ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        while (echoed.size() < payload.length) {
            Message part = Await.result(client.receive());
            echoed.writeBytes(part.bytes());
        }
        assertThat(echoed.toByteArray()).isEqualTo(payload);

        client.close();
        Await.result(client.closed());
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(events.events()).first().isEqualTo("Ready");
        assertThat(events.events()).element(1).isEqualTo("Sent");
        assertThat(events.events()).last().isEqualTo("Closed");
        assertThat(events.events()).filteredOn(e -> e.startsWith("Received")).isNotEmpty();
        listener.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5})
    void sentEventsFollowSendOrder_E11(int unused) {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(Echo::serve);
        Await.result(listener.ready());
        java.util.List<Integer> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                .build().initiate();
        for (int i = 0; i < 200; i++) {
            int index = i;
            client.send(Message.of(new byte[] {(byte) i})).thenRun(() -> order.add(index));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 200);
        assertThat(order).isSorted();
        client.abort();
        listener.close();
    }
}

package io.taps.connection;

import io.taps.testing.TapsTestSupport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.Limit;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** UDP connections and the UDP listener (RFC 9623 §4.6, §4.7.2, §10.3; M-04, M-31). */
class UdpConnectionTest extends TapsTestSupport {



    static Listener udpEcho(String address, List<Connection> accepted) {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress(address, 0))
                .properties(TransportProperties.unreliableDatagram()).build()
                .listen(connection -> {
                    accepted.add(connection);
                    Echo.serve(connection);
                });
        Await.result(listener.ready());
        assertThat(listener.protocolStack()).isEqualTo("UDP");
        return listener;
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void echoesDatagramsAndEachRemoteIsItsOwnConnection_M31(String address) {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = udpEcho(address, accepted)) {
            RecordingHandler events = new RecordingHandler();
            Connection first = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress(address, listener.port()))
                    .properties(TransportProperties.unreliableDatagram()).build().initiate(events);
            Connection second = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress(address, listener.port()))
                    .properties(TransportProperties.unreliableDatagram()).build().initiate();
            Await.result(first.ready());
            Await.result(second.ready());
            assertThat(first.protocolStack()).contains("UDP");

            Await.result(first.send("one"));
            Message reply = Await.result(first.receive());
            assertThat(reply.asString()).isEqualTo("one");
            assertThat(reply.endOfMessage()).isTrue();
            Await.result(first.send("two"));
            assertThat(Await.result(first.receive()).asString()).isEqualTo("two");
            Await.result(second.send("three"));
            assertThat(Await.result(second.receive()).asString()).isEqualTo("three");

            // Two remote ports became two Connections; the repeat datagram went to the existing one.
            assertThat(accepted).hasSize(2);
            assertThat(events.events()).containsExactly("Ready", "Sent", "Received", "Sent", "Received");
            first.close();
            Await.result(first.closed());
            assertThat(events.events()).last().isEqualTo("Closed");
            second.abort();
        }
    }

    @Test
    void oversizedDatagramFailsWithMessageTooLarge_RO05() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = udpEcho("127.0.0.1", accepted)) {
            RecordingHandler events = new RecordingHandler();
            Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(TransportProperties.unreliableDatagram()).build().initiate(events);
            Await.result(client.ready());
            Limit max = client.getProperties().get(Property.SEND_MSG_MAX_LEN);
            assertThat(max).isEqualTo(Limit.of(65_507));
            Throwable failure = Await.failure(client.send(new byte[65_508]));
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.MESSAGE_TOO_LARGE);
            assertThat(events.events()).containsExactly("Ready", "SendError:MessageTooLarge");
            // The connection is unharmed: the largest datagram still goes through.
            Await.result(client.send(new byte[65_507]));
            assertThat(Await.result(client.receive()).length()).isEqualTo(65_507);
            client.abort();
            Await.failure(client.closed());
            assertThat(events.events()).last().isEqualTo("ConnectionError:LocalAbort");
        }
    }

    @Test
    void datagramsNotMarkedSafelyReplayableNeverSelectUdp() {
        assertThatThrownBy(() -> taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", 9))
                        .properties(TransportProperties.builder().reliability(io.taps.properties.Preference.PROHIBIT).build())
                        .build().initiate())
                .isInstanceOf(TransportServicesException.class)
                .hasMessageContaining("safelyReplayable")
                .extracting(e -> ((TransportServicesException) e).reason()).isEqualTo(ErrorReason.NO_CANDIDATES);
    }

    @Test
    void udpInitiateSendsNothingUntilTheApplicationSends_M04() throws Exception {
        try (java.net.DatagramSocket peer = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout(300);
            Connection client = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", peer.getLocalPort()))
                    .properties(TransportProperties.unreliableDatagram()).build().initiate();
            Await.result(client.ready());
            java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[16], 16);
            assertThatThrownBy(() -> peer.receive(packet)).isInstanceOf(java.net.SocketTimeoutException.class);
            client.abort();
        }
    }

    @Test
    void connectedUdpIgnoresDatagramsFromOtherSources_M04() throws Exception {
        try (java.net.DatagramSocket peer = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
                java.net.DatagramSocket stranger = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            Connection client = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", peer.getLocalPort()))
                    .properties(TransportProperties.unreliableDatagram()).build().initiate();
            Await.result(client.ready());
            int localPort = client.localEndpoint().orElseThrow().port().orElseThrow();
            java.net.InetSocketAddress target = new java.net.InetSocketAddress("127.0.0.1", localPort);
            stranger.send(new java.net.DatagramPacket("stranger".getBytes(), 8, target));
            peer.send(new java.net.DatagramPacket("peer".getBytes(), 4, target));
            assertThat(Await.result(client.receive()).asString()).isEqualTo("peer");
            client.abort();
        }
    }

    @Test
    void icmpPortUnreachableIsASoftErrorWhenAskedAndNeverEndsTheConnection_E09_SP17() throws Exception {
        int closedPort;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        RecordingHandler notified = new RecordingHandler();
        RecordingHandler silent = new RecordingHandler();
        Connection asking = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", closedPort))
                .properties(TransportProperties.unreliableDatagram().toBuilder()
                        .softErrorNotify(io.taps.properties.Preference.REQUIRE).build())
                .build().initiate(notified);
        Connection notAsking = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", closedPort))
                .properties(TransportProperties.unreliableDatagram()).build().initiate(silent);
        Await.result(asking.ready());
        Await.result(notAsking.ready());
        for (int attempt = 0; attempt < 50 && !notified.events().contains("SoftError"); attempt++) {
            Await.result(asking.send("anyone there?"));
            Await.result(notAsking.send("anyone there?"));
            Thread.sleep(20);
        }
        assertThat(notified.events()).contains("SoftError");
        assertThat(silent.events()).doesNotContain("SoftError");
        // A soft error is a notification only (RFC 9622 §8.3.1): both connections stay usable.
        assertThat(asking.state()).isEqualTo(io.taps.properties.ConnectionState.ESTABLISHED);
        assertThat(notAsking.state()).isEqualTo(io.taps.properties.ConnectionState.ESTABLISHED);
        Await.result(asking.send("still sending"));
        asking.abort();
        notAsking.abort();
    }

    @Test
    void listenerStopKeepsDeliveredConnections() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Listener listener = udpEcho("127.0.0.1", accepted);
        Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                .properties(TransportProperties.unreliableDatagram()).build().initiate();
        Await.result(client.send("before stop"));
        assertThat(Await.result(client.receive()).asString()).isEqualTo("before stop");
        Await.result(listener.stop());
        Await.result(client.send("after stop"));
        assertThat(Await.result(client.receive()).asString()).isEqualTo("after stop");
        await().atMost(Duration.ofSeconds(5)).until(() -> accepted.size() == 1);
        client.abort();
    }
}

package io.taps.connection;

import io.taps.testing.TapsTestSupport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.ListenerEventHandler;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.ConnectionProperties;
import io.taps.properties.ConnectionState;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Listeners over real loopback sockets (RFC 9622 §7.2, RFC 9623 §4.7; A-11, E-03..E-05, M-29,
 * M-30, Q-12): ListenError, the new-connection countdown, Stop, ephemeral and wildcard binding, the
 * concurrent-connection cap, and the properties of passively opened Connections.
 */
class ListenerTest extends TapsTestSupport {
    /** How long a "nothing more is delivered" observation lasts; never an assertion on timing. */
    private static final Duration HOLD = Duration.ofMillis(300);



    /** Counts every listener event and echoes on every received Connection. */
    static final class Events implements ListenerEventHandler {
        final List<Connection> received = new CopyOnWriteArrayList<>();
        final List<Long> limitSeen = new CopyOnWriteArrayList<>();
        final List<TransportServicesException> errors = new CopyOnWriteArrayList<>();
        final AtomicInteger stopped = new AtomicInteger();
        volatile Listener listener;
        final Consumer<Connection> serve;

        Events() {
            this(Echo::serve);
        }

        Events(Consumer<Connection> serve) {
            this.serve = serve;
        }

        @Override
        public void connectionReceived(Connection connection) {
            if (listener != null) {
                limitSeen.add(listener.newConnectionLimit());
            }
            received.add(connection);
            serve.accept(connection);
        }

        @Override
        public void establishmentError(Listener failed, TransportServicesException error) {
            errors.add(error);
        }

        @Override
        public void stopped(Listener stoppedListener) {
            stopped.incrementAndGet();
        }
    }

    static Listener listen(LocalEndpoint local, TransportProperties properties, Events events) {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(local).properties(properties).build().listen(events);
        events.listener = listener;
        return listener;
    }

    static Listener tcp(Events events) {
        Listener listener = listen(LocalEndpoint.ofAddress("127.0.0.1", 0), TransportProperties.defaults(), events);
        Await.result(listener.ready());
        return listener;
    }

    static Connection connect(String address, int port) {
        return taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress(address, port)).build().initiate();
    }

    static void assertEchoes(Connection client, String text) {
        Await.result(client.send(text));
        StringBuilder echoed = new StringBuilder();
        while (echoed.length() < text.length()) {
            echoed.append(Await.result(client.receive()).asString());
        }
        assertThat(echoed).hasToString(text);
    }

    // ------------------------------------------------------------------ ListenError (E-04)

    @Test
    void aStoppedListenerLeavesTransportServicesListeners() {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(Connection::abort);
        Await.result(listener.ready());
        assertThat(taps.listeners()).contains(listener);
        Await.result(listener.stop());
        await().atMost(Duration.ofSeconds(5)).until(() -> !taps.listeners().contains(listener));
    }

    @Test
    void secondListenerOnAPortInUseFailsWithListenFailedOnce_E04() {
        Events firstEvents = new Events();
        Events secondEvents = new Events();
        try (Listener first = tcp(firstEvents);
                Listener second = listen(LocalEndpoint.ofAddress("127.0.0.1", first.port()),
                        TransportProperties.defaults(), secondEvents)) {
            TransportServicesException failure = (TransportServicesException) Await.failure(second.ready());
            assertThat(failure.reason()).isEqualTo(ErrorReason.LISTEN_FAILED);
            assertThat(failure.getMessage()).contains(String.valueOf(first.port()));
            assertThat(secondEvents.errors).containsExactly(failure);
            // Stopping the failed Listener raises nothing more: ListenError was its terminal event.
            second.stop();
            Connection client = connect("127.0.0.1", first.port());
            assertEchoes(client, "first listener unaffected");
            assertThat(secondEvents.errors).hasSize(1);
            assertThat(secondEvents.stopped).hasValue(0);
            assertThat(secondEvents.received).isEmpty();
            assertThat(firstEvents.received).hasSize(1);
            assertThat(firstEvents.errors).isEmpty();
            client.abort();
        }
    }

    @Test
    void listenErrorCompletesReadyEvenWhenTheHandlerThrows_E04_E22() {
        ListenerEventHandler throwing = new ListenerEventHandler() {
            @Override
            public void connectionReceived(Connection connection) {
            }

            @Override
            public void establishmentError(Listener listener, TransportServicesException error) {
                throw new IllegalStateException("application bug in establishmentError");
            }
        };
        try (Listener first = tcp(new Events());
                Listener second = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", first.port()))
                        .build().listen(throwing)) {
            Throwable failure = Await.failure(second.ready());
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.LISTEN_FAILED);
        }
    }

    @Test
    void stopCompletesEvenWhenTheStoppedHandlerThrows_E05_E22() {
        AtomicInteger stoppedCalls = new AtomicInteger();
        Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(new ListenerEventHandler() {
                    @Override
                    public void connectionReceived(Connection connection) {
                    }

                    @Override
                    public void stopped(Listener stopped) {
                        stoppedCalls.incrementAndGet();
                        throw new IllegalStateException("application bug in stopped");
                    }
                });
        Await.result(listener.ready());
        Await.result(listener.stop());
        assertThat(stoppedCalls).hasValue(1);
    }

    // ------------------------------------------------------------------ new-connection limit

    @Test
    void newConnectionLimitDeliversTwoThenHoldsTheThirdUntilRaised_A11() {
        Events events = new Events();
        try (Listener listener = tcp(events)) {
            assertThat(listener.newConnectionLimit()).isEqualTo(Long.MAX_VALUE);
            listener.setNewConnectionLimit(2);
            assertThat(listener.newConnectionLimit()).isEqualTo(2);
            List<Connection> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Connection client = connect("127.0.0.1", listener.port());
                Await.result(client.ready()); // the kernel completes the handshake, delivered or not
                clients.add(client);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> events.received.size() == 2);
            assertThat(events.limitSeen).containsExactly(1L, 0L);
            assertThat(listener.newConnectionLimit()).isZero();
            await().during(HOLD).atMost(HOLD.plusSeconds(5)).until(() -> events.received.size() == 2);

            listener.setNewConnectionLimit(5);
            await().atMost(Duration.ofSeconds(10)).until(() -> events.received.size() == 3);
            assertThat(listener.newConnectionLimit()).isEqualTo(4);
            // No connection was lost: all three are served, the held one included.
            for (int i = 0; i < clients.size(); i++) {
                assertEchoes(clients.get(i), "client " + i);
            }
            listener.setNewConnectionLimit(Long.MAX_VALUE);
            Connection fourth = connect("127.0.0.1", listener.port());
            assertEchoes(fourth, "unlimited again");
            assertThat(listener.newConnectionLimit()).isEqualTo(Long.MAX_VALUE);
            clients.forEach(Connection::abort);
            fourth.abort();
        }
    }

    @Test
    void udpListenerDropsDatagramsFromNewRemotesWhileTheLimitIsZero_A11_M31() throws Exception {
        Events events = new Events();
        try (Listener listener = listen(LocalEndpoint.ofAddress("127.0.0.1", 0),
                TransportProperties.unreliableDatagram(), events);
                DatagramSocket peer = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
                DatagramSocket other = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            Await.result(listener.ready());
            listener.setNewConnectionLimit(0);
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", listener.port());
            peer.setSoTimeout((int) HOLD.toMillis());
            send(peer, "dropped", target);
            // Documented behaviour (DatagramListener): UDP cannot hold a datagram back, so it is dropped.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> receive(peer))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(events.received).isEmpty();

            listener.setNewConnectionLimit(1);
            peer.setSoTimeout(10_000);
            send(peer, "accepted", target);
            assertThat(receive(peer)).isEqualTo("accepted");
            assertThat(events.received).hasSize(1);
            assertThat(listener.newConnectionLimit()).isZero();

            // Limit back at 0: a second remote is dropped, the existing remote keeps its Connection.
            other.setSoTimeout((int) HOLD.toMillis());
            send(other, "also dropped", target);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> receive(other))
                    .isInstanceOf(SocketTimeoutException.class);
            send(peer, "still served", target);
            assertThat(receive(peer)).isEqualTo("still served");
            assertThat(events.received).hasSize(1);
        }
    }

    static void send(DatagramSocket socket, String text, InetSocketAddress target) throws Exception {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(data, data.length, target));
    }

    static String receive(DatagramSocket socket) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
        socket.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ Stop (E-05)

    @Test
    void stopRaisesStoppedOnceRefusesNewClientsAndKeepsDeliveredConnections_E05() {
        Events events = new Events();
        Listener listener = tcp(events);
        int port = listener.port();
        Connection before = connect("127.0.0.1", port);
        assertEchoes(before, "before stop");

        Await.result(listener.stop());
        Await.result(listener.stop()); // a second Stop is harmless
        listener.close();
        assertThat(events.stopped).hasValue(1);

        RecordingHandler refused = new RecordingHandler();
        Connection after = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", port)).build()
                .initiate(refused);
        TransportServicesException failure = (TransportServicesException) Await.failure(after.ready());
        assertThat(failure.reason()).isEqualTo(ErrorReason.ESTABLISHMENT_FAILED);
        assertThat(refused.events()).containsExactly("EstablishmentError:EstablishmentFailed");

        assertEchoes(before, "after stop");
        assertThat(events.received).hasSize(1);
        assertThat(events.received.get(0).state()).isEqualTo(ConnectionState.ESTABLISHED);
        before.close();
        Await.result(before.closed());
        assertThat(events.stopped).hasValue(1);
    }

    // ------------------------------------------------------------------ binding (M-29, EP-01)

    @Test
    void ephemeralPortIsReportedAndTheWildcardAcceptsIpv4AndIpv6Clients_M29_EP01() {
        Events events = new Events();
        Listener listener = listen(LocalEndpoint.ofPort(0), TransportProperties.defaults(), events);
        Await.result(listener.ready());
        try (listener) {
            int port = listener.port();
            assertThat(port).isBetween(1, 65535);
            assertThat(listener.localAddresses()).isNotEmpty()
                    .allSatisfy(address -> assertThat(address.getPort()).isEqualTo(port));
            Connection v4 = connect("127.0.0.1", port);
            Connection v6 = connect("::1", port);
            assertEchoes(v4, "over IPv4");
            assertEchoes(v6, "over IPv6");
            assertThat(events.received).hasSize(2);
            assertThat(events.received).extracting(c -> c.remoteEndpoint().orElseThrow().ipAddress().orElseThrow())
                    .containsExactlyInAnyOrder(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"));
            v4.abort();
            v6.abort();
        } catch (java.net.UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    // ------------------------------------------------------------------ concurrency cap

    @Test
    void maxConcurrentConnectionsDeliversTheSecondClientOnlyAfterTheFirstCloses_Q12() {
        Events events = new Events();
        TransportProperties capped = TransportProperties.builder().set("_taps.maxConcurrentConnections", 1).build();
        Listener listener = listen(LocalEndpoint.ofAddress("127.0.0.1", 0), capped, events);
        Await.result(listener.ready());
        try (listener) {
            Connection first = connect("127.0.0.1", listener.port());
            assertEchoes(first, "first");
            Connection second = connect("127.0.0.1", listener.port());
            Await.result(second.ready());
            second.send("queued while capped");
            await().during(HOLD).atMost(HOLD.plusSeconds(5)).until(() -> events.received.size() == 1);
            assertThat(listener.newConnectionLimit()).as("the cap is not the countdown").isEqualTo(Long.MAX_VALUE);

            first.close();
            Await.result(first.closed());
            await().atMost(Duration.ofSeconds(10)).until(() -> events.received.size() == 2);
            StringBuilder echoed = new StringBuilder();
            while (echoed.length() < "queued while capped".length()) {
                echoed.append(Await.result(second.receive()).asString());
            }
            assertThat(echoed).hasToString("queued while capped");
            second.abort();
        }
    }

    // ------------------------------------------------------------------ passive connections (M-30, A-17)

    @Test
    void passiveConnectionsExposeTheirPropertiesAndCanSend_M30_A17() {
        Events events = new Events();
        TransportProperties properties = TransportProperties.builder().connPriority(42).build();
        Listener listener = listen(LocalEndpoint.ofAddress("127.0.0.1", 0), properties, events);
        Await.result(listener.ready());
        try (listener) {
            Connection client = connect("127.0.0.1", listener.port());
            assertEchoes(client, "hello");
            Connection passive = events.received.get(0);
            ConnectionProperties props = passive.getProperties();
            assertThat(props.get(Property.CONN_STATE)).isEqualTo(ConnectionState.ESTABLISHED);
            assertThat(props.get(Property.CAN_SEND)).isTrue();
            assertThat(props.get(Property.CAN_RECEIVE)).isTrue();
            assertThat(props.get(Property.CONN_PRIORITY)).isEqualTo(42);
            assertThat(props.has(Property.RELIABILITY)).as("TCP is reliable").isTrue();
            assertThat(passive.state()).isEqualTo(ConnectionState.ESTABLISHED);
            assertThat(passive.protocolStack()).contains("TCP");
            int clientPort = client.localEndpoint().orElseThrow().port().orElseThrow();
            assertThat(passive.remoteEndpoint().orElseThrow().port()).hasValue(clientPort);
            assertThat(passive.localEndpoint().orElseThrow().port()).hasValue(listener.port());
            Await.result(passive.ready());

            // The passive side sends on its own initiative, not only as an echo.
            Await.result(passive.send("server push"));
            StringBuilder pushed = new StringBuilder();
            while (pushed.length() < "server push".length()) {
                pushed.append(Await.result(client.receive()).asString());
            }
            assertThat(pushed).hasToString("server push");
            client.abort();
        }
    }
}

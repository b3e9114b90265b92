package io.taps.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.ListenerEventHandler;
import io.taps.Message;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TapsTestSupport;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Accepted Connections that go silent end ({@code _taps.idleTimeout}, issue 15 item 3): a raw TCP
 * client that connects and sends nothing, and a UDP source that sends one datagram, lose their
 * Connection with a ConnectionError (Timeout) naming the idle timeout, and the transport really
 * closes; traffic keeps a Connection open; the Listen default (5 minutes) and how keepAlive,
 * connTimeout and an explicit value change it are what accepted Connections report.
 */
class AcceptedIdleTimeoutTest extends TapsTestSupport {
    private static final Duration IDLE = Duration.ofMillis(500);
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Records every accepted Connection's events; {@code onReceived} runs first. */
    static final class Accepted implements ListenerEventHandler {
        final List<Connection> connections = new CopyOnWriteArrayList<>();
        final Map<Connection, RecordingHandler> events = new ConcurrentHashMap<>();
        final Consumer<Connection> onReceived;

        Accepted(Consumer<Connection> onReceived) {
            this.onReceived = onReceived;
        }

        Accepted() {
            this(connection -> { });
        }

        @Override
        public void connectionReceived(Connection connection) {
            RecordingHandler recording = new RecordingHandler();
            events.put(connection, recording);
            connection.setEventHandler(recording);
            onReceived.accept(connection);
            connections.add(connection);
        }

        Connection awaitConnection(int index) {
            await().atMost(WAIT).until(() -> connections.size() > index);
            return connections.get(index);
        }

        TransportServicesException awaitError(Connection connection) {
            RecordingHandler recording = events.get(connection);
            Await.result(recording.terminal, WAIT);
            assertThat(recording.errors()).as("events: %s", recording.events()).hasSize(1);
            return recording.errors().get(0);
        }
    }

    static Listener listen(TransportProperties properties, ListenerEventHandler handler) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).properties(properties)
                .security(SecurityParameters.disabled()).build().listen(handler);
        Await.result(listener.ready());
        return listener;
    }

    static void assertIdleTimeout(TransportServicesException error) {
        assertThat(error.reason()).isEqualTo(ErrorReason.TIMEOUT);
        assertThat(error.getMessage()).contains("_taps.idleTimeout");
    }

    @Test
    void aSilentTcpClientLosesItsConnectionWithATimeoutErrorAndSeesTheSocketClose() throws Exception {
        Accepted accepted = new Accepted();
        try (Listener listener = listen(TransportProperties.builder().idleTimeout(IDLE).build(), accepted);
                Socket client = new Socket("127.0.0.1", listener.port())) {
            client.setSoTimeout((int) WAIT.toMillis());
            Connection connection = accepted.awaitConnection(0);
            assertThat(connection.getProperties().get(Property.IDLE_TIMEOUT)).isEqualTo(Timeout.of(IDLE));

            assertIdleTimeout(accepted.awaitError(connection));
            // The transport is closed, not only the Connection object: the client reads the end.
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void trafficInEitherDirectionKeepsAnAcceptedConnectionOpen() throws Exception {
        // Longer than IDLE, so that a stalled test thread on a busy machine is not taken for silence.
        Duration idle = Duration.ofMillis(800);
        Accepted accepted = new Accepted(connection -> connection.receive());
        try (Listener listener = listen(TransportProperties.builder().idleTimeout(idle).build(), accepted);
                Socket client = new Socket("127.0.0.1", listener.port())) {
            Connection connection = accepted.awaitConnection(0);
            RecordingHandler recording = accepted.events.get(connection);
            OutputStream out = client.getOutputStream();
            // The client sends a byte every fifth of the timeout for two and a half timeouts.
            long end = System.nanoTime() + idle.multipliedBy(5).dividedBy(2).toNanos();
            while (System.nanoTime() < end) {
                out.write('x');
                out.flush();
                Thread.sleep(idle.toMillis() / 5);
            }
            assertThat(recording.events()).as("client traffic keeps it open").doesNotContain("ConnectionError:Timeout");
            // The server sends for as long while the client stays silent.
            end = System.nanoTime() + idle.multipliedBy(5).dividedBy(2).toNanos();
            while (System.nanoTime() < end) {
                Await.result(connection.send("y"));
                Thread.sleep(idle.toMillis() / 5);
            }
            assertThat(recording.events()).as("server traffic keeps it open").doesNotContain("ConnectionError:Timeout");

            assertIdleTimeout(accepted.awaitError(connection));
        }
    }

    @Test
    void passiveUdpConnectionsIdleOutAndTheSameSourceGetsANewConnection() throws Exception {
        Accepted accepted = new Accepted(connection -> connection.receive());
        TransportProperties udp = TransportProperties.unreliableDatagram().toBuilder().idleTimeout(IDLE).build();
        try (Listener listener = listen(udp, accepted);
                DatagramSocket peer = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            assertThat(listener.protocolStack()).isEqualTo("UDP");
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", listener.port());
            send(peer, "first", target);
            Connection first = accepted.awaitConnection(0);
            assertIdleTimeout(accepted.awaitError(first));

            // The source was forgotten with its Connection: it is a new remote again.
            send(peer, "second", target);
            Connection second = accepted.awaitConnection(1);
            assertThat(second).isNotSameAs(first);
            await().atMost(WAIT).until(() -> !accepted.events.get(second).received().isEmpty());
            Message message = accepted.events.get(second).received().get(0);
            assertThat(message.asString()).isEqualTo("second");
            assertIdleTimeout(accepted.awaitError(second));
        }
    }

    @Test
    void settingTheIdleTimeoutOnAnAcceptedConnectionAppliesToIt() throws Exception {
        Accepted accepted = new Accepted(connection -> connection.setProperty(Property.IDLE_TIMEOUT, Timeout.of(IDLE)));
        try (Listener listener = listen(TransportProperties.defaults(), accepted);
                Socket client = new Socket("127.0.0.1", listener.port())) {
            client.setSoTimeout((int) WAIT.toMillis());
            Connection connection = accepted.awaitConnection(0);
            assertIdleTimeout(accepted.awaitError(connection));
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }

    // ------------------------------------------------------------------ the default and what changes it

    @Test
    void acceptedConnectionsDefaultToFiveMinutesAndInitiatedOnesToDisabled() {
        Accepted accepted = new Accepted();
        try (Listener listener = listen(TransportProperties.defaults(), accepted)) {
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .security(SecurityParameters.disabled()).build().initiate();
            Await.result(client.ready());
            assertThat(acceptedIdleTimeout(accepted)).isEqualTo(Timeout.of(Duration.ofMinutes(5)));
            assertThat(client.getProperties().get(Property.IDLE_TIMEOUT)).isEqualTo(Timeout.NONE);
            client.abort();
        }
    }

    @Test
    void keepAliveOnTheListenerMeansIdleConnectionsAreKept() {
        assertThat(acceptedIdleTimeout(TransportProperties.builder().keepAlive(Preference.REQUIRE).build()))
                .isEqualTo(Timeout.NONE);
        assertThat(acceptedIdleTimeout(TransportProperties.builder().keepAliveTimeout(Duration.ofSeconds(30)).build()))
                .isEqualTo(Timeout.NONE);
    }

    @Test
    void aLongerConnTimeoutRaisesTheDefaultAndAnExplicitIdleTimeoutWins() {
        assertThat(acceptedIdleTimeout(TransportProperties.builder().connTimeout(Duration.ofMinutes(10)).build()))
                .isEqualTo(Timeout.of(Duration.ofMinutes(10)));
        // connTimeout bounds undeliverable data (RFC 9622 §8.1.3); a short one does not shorten idling.
        assertThat(acceptedIdleTimeout(TransportProperties.builder().connTimeout(Duration.ofSeconds(30)).build()))
                .isEqualTo(Timeout.of(Duration.ofMinutes(5)));
        assertThat(acceptedIdleTimeout(TransportProperties.builder().connTimeout(Duration.ofMinutes(10))
                .keepAlive(Preference.REQUIRE).idleTimeout(Duration.ofMinutes(1)).build()))
                .isEqualTo(Timeout.of(Duration.ofMinutes(1)));
        assertThat(acceptedIdleTimeout(TransportProperties.builder().idleTimeout(Timeout.NONE).build()))
                .isEqualTo(Timeout.NONE);
    }

    private static Timeout acceptedIdleTimeout(TransportProperties listenerProperties) {
        Accepted accepted = new Accepted();
        try (Listener listener = listen(listenerProperties, accepted)) {
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .security(SecurityParameters.disabled()).build().initiate();
            Await.result(client.ready());
            Timeout value = acceptedIdleTimeout(accepted);
            client.abort();
            return value;
        }
    }

    private static Timeout acceptedIdleTimeout(Accepted accepted) {
        Connection connection = accepted.awaitConnection(0);
        Timeout value = connection.getProperties().get(Property.IDLE_TIMEOUT);
        connection.abort();
        return value;
    }

    private static void send(DatagramSocket socket, String text, InetSocketAddress target) throws Exception {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(data, data.length, target));
    }
}

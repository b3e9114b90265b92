package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * QUIC's idle timeout, keep-alive and connTimeout over real QUIC on loopback (issue 15 item 7; RFC
 * 9622 §6.2.10, §8.1.3, §8.1.4; RFC 9000 §10.1). The QUIC idle timeout is set short here (system
 * property {@code taps.quic.idleTimeout}) instead of waiting 30 s: a keep-alive Connection outlives
 * several idle timeouts of silence, one without keep-alive ends with a TIMEOUT naming the idle
 * timeout, connTimeout is no longer the idle timeout, and a peer that stops answering fails a
 * Connection with data outstanding after connTimeout.
 */
class QuicKeepAliveTest {
    private static final String ALPN = "keepalive/1";
    private static final Duration IDLE = Duration.ofMillis(600);

    private TransportServices taps;

    @BeforeEach
    void start() {
        System.setProperty("taps.quic.idleTimeout", Long.toString(IDLE.toMillis()));
        taps = TransportServices.builder().eventLoopThreads(2).build();
    }

    @AfterEach
    void stop() {
        System.clearProperty("taps.quic.idleTimeout");
        taps.close();
    }

    private Listener echo() {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.builder().require(Property.MULTISTREAMING).build())
                .security(SecurityParameters.builder()
                        .identity(Identity.of(TestPki.SERVER.getKeyPair().getPrivate(),
                                TestPki.SERVER.getCertificatePath()))
                        .allowedProtocols(TlsVersion.TLS_1_3).alpn(ALPN).build())
                .build().listen(Echo::serve);
        Await.result(listener.ready());
        return listener;
    }

    private Connection connect(int port, TransportProperties.Builder properties) {
        Connection connection = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                .properties(properties.require(Property.MULTISTREAMING).build())
                .security(SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate())
                        .allowedProtocols(TlsVersion.TLS_1_3).alpn(ALPN).build())
                .build().initiate(new RecordingHandler());
        Await.result(connection.ready());
        assertThat(connection.protocolStack()).contains("QUIC");
        return connection;
    }

    private static void echoes(Connection connection, String text) {
        Await.result(connection.send(Message.of(text)));
        assertThat(new String(Await.result(connection.receive()).bytes(), StandardCharsets.UTF_8)).isEqualTo(text);
    }

    /** Waits {@code silence} for {@code connection} to end; true when it is still open afterwards. */
    private static boolean survives(Connection connection, Duration silence) throws Exception {
        try {
            connection.closed().toCompletableFuture().get(silence.toMillis(), TimeUnit.MILLISECONDS);
            return false;
        } catch (TimeoutException stillOpen) {
            return true;
        } catch (ExecutionException ended) {
            return false;
        }
    }

    @Test
    void aKeepAliveConnectionOutlivesManyIdleTimeoutsOfSilenceAndReportsKeepAlive() throws Exception {
        try (Listener listener = echo()) {
            Connection connection = connect(listener.port(), TransportProperties.builder()
                    .keepAlive(Preference.REQUIRE));
            echoes(connection, "before");
            assertThat(connection.getProperties().has(Property.KEEP_ALIVE)).as("keepAlive reported").isTrue();
            assertThat(survives(connection, IDLE.multipliedBy(4))).as("alive after 4 idle timeouts of silence").isTrue();
            echoes(connection, "after");
            connection.close();
            Await.result(connection.closed());
        }
    }

    @Test
    void aConnectionWithoutKeepAliveIdlesOutWithAClearTimeout() {
        try (Listener listener = echo()) {
            Connection connection = connect(listener.port(), TransportProperties.builder());
            echoes(connection, "once");
            assertThat(connection.getProperties().has(Property.KEEP_ALIVE)).as("keepAlive reported").isFalse();
            assertThatThrownBy(() -> Await.result(connection.closed()))
                    .hasRootCauseInstanceOf(TransportServicesException.class)
                    .rootCause().satisfies(error -> {
                        assertThat(((TransportServicesException) error).reason()).isEqualTo(ErrorReason.TIMEOUT);
                        assertThat(error.getMessage()).contains("idled out").contains("keepAlive was not requested");
                    });
        }
    }

    @Test
    void connTimeoutIsNotTheIdleTimeout() throws Exception {
        System.clearProperty("taps.quic.idleTimeout"); // 30 s: only connTimeout could end it early
        try (Listener listener = echo()) {
            Connection connection = connect(listener.port(), TransportProperties.builder()
                    .connTimeout(Duration.ofMillis(300)));
            echoes(connection, "before");
            assertThat(survives(connection, Duration.ofMillis(1500))).as("idle, nothing outstanding").isTrue();
            echoes(connection, "after");
            connection.close();
            Await.result(connection.closed());
        }
    }

    @Test
    void aPeerThatStopsAnsweringFailsTheConnectionAfterConnTimeout() throws Exception {
        System.clearProperty("taps.quic.idleTimeout");
        try (Listener listener = echo(); UdpRelay relay = new UdpRelay(listener.port())) {
            Connection connection = connect(relay.port(), TransportProperties.builder()
                    .connTimeout(Duration.ofMillis(500)));
            echoes(connection, "before");
            relay.dropEverything();
            long started = System.nanoTime();
            connection.send(Message.of("into the void"));
            assertThatThrownBy(() -> Await.result(connection.closed()))
                    .rootCause().satisfies(error -> {
                        assertThat(((TransportServicesException) error).reason()).isEqualTo(ErrorReason.TIMEOUT);
                        assertThat(error.getMessage()).contains("connTimeout");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("well before the 30 s idle timeout")
                    .isLessThan(Duration.ofSeconds(10));
        }
    }

    /** A UDP relay on loopback between one client and a server port that can start dropping everything. */
    static final class UdpRelay implements AutoCloseable {
        private final DatagramSocket front;
        private final DatagramSocket back;
        private final InetSocketAddress server;
        private volatile SocketAddress client;
        private volatile boolean dropping;

        UdpRelay(int serverPort) throws SocketException {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            this.front = new DatagramSocket(new InetSocketAddress(loopback, 0));
            this.back = new DatagramSocket(new InetSocketAddress(loopback, 0));
            this.server = new InetSocketAddress(loopback, serverPort);
            pump(front, true);
            pump(back, false);
        }

        int port() {
            return front.getLocalPort();
        }

        void dropEverything() {
            dropping = true;
        }

        private void pump(DatagramSocket from, boolean towardsServer) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[65_535];
                while (!from.isClosed()) {
                    try {
                        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                        from.receive(packet);
                        if (towardsServer) {
                            client = packet.getSocketAddress();
                        }
                        if (dropping) {
                            continue;
                        }
                        SocketAddress to = towardsServer ? server : client;
                        (towardsServer ? back : front).send(new DatagramPacket(packet.getData(), packet.getLength(), to));
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            }, "udp-relay");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            front.close();
            back.close();
        }
    }
}

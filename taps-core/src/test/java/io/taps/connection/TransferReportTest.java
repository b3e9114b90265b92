package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.Preconnection;
import io.taps.monitor.TransferReport;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import io.taps.testing.TestPki;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The data transfer report of a Connection after a known exchange over real loopback sockets:
 * exact application byte and Message counts (framer headers excluded), the duration from Ready to
 * Closed, and the smoothed RTT that epoll reports for TCP (RFC 9621 §3.5 / C-19 statistics).
 */
class TransferReportTest extends TapsTestSupport {

    static byte[] bytes(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) i;
        }
        return data;
    }

    static void assumeEpoll() {
        assumeTrue("epoll".equals(taps.ioTransport()), "smoothedRtt comes from tcpi_rtt, which needs the epoll transport");
    }

    @Test
    void tcpCountsApplicationBytesAndMessagesAndKnowsTheRtt() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = ConnectionGroupTest.tcpEcho(accepted)) {
            Instant initiated = Instant.now();
            Connection connection = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .build().initiate();
            Await.result(connection.ready());
            Instant ready = Instant.now();
            for (String text : List.of("abc", "defg", "h")) {
                Await.result(connection.send(text));
            }
            int received = 0;
            while (received < 8) {
                received += Await.result(connection.receive()).length();
            }
            TransferReport open = connection.transferReport();
            assertThat(open.bytesSent()).isEqualTo(8);
            assertThat(open.messagesSent()).isEqualTo(3);
            assertThat(open.bytesReceived()).isEqualTo(8);
            assertThat(open.messagesReceived()).as("an unframed stream is one Message, not yet ended").isZero();
            // The wall clock read once at Ready.
            assertThat(open.readyAt()).hasValueSatisfying(at -> assertThat(at).isBetween(
                    initiated.minusMillis(1), ready.plusMillis(1)));
            assertThat(open.duration()).isPositive();
            assertThat(connection.transferReport().readyAt())
                    .as("Ready happened once: every report gives the same moment (actuator snapshots compare equal)")
                    .isEqualTo(open.readyAt());

            connection.close();
            Await.result(connection.closed());
            TransferReport closed = connection.transferReport();
            assertThat(closed.messagesReceived()).as("the peer's FIN ended the stream Message").isEqualTo(1);
            assertThat(closed.bytesSent()).isEqualTo(8);
            assertThat(closed.bytesReceived()).isEqualTo(8);
            assertThat(closed.duration()).isPositive().isGreaterThanOrEqualTo(open.duration());
            assertThat(closed.readyAt()).isEqualTo(open.readyAt());
            assertThat(connection.transferReport().duration()).as("the lifetime stopped at Closed")
                    .isEqualTo(closed.duration());
            assertThat(connection.transferReport().duration()).as("fixed once Closed").isEqualTo(closed.duration());

            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> accepted.size() == 1
                    && accepted.get(0).transferReport().messagesReceived() == 1);
            TransferReport server = accepted.get(0).transferReport();
            assertThat(server.bytesReceived()).isEqualTo(8);
            assertThat(server.bytesSent()).isEqualTo(8);
        }
    }

    @Test
    void tcpOnEpollReportsTheSmoothedRtt() {
        assumeEpoll();
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = ConnectionGroupTest.tcpEcho(accepted)) {
            Connection connection = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .build().initiate();
            Await.result(connection.ready());
            assertThat(ConnectionGroupTest.roundTrip(connection, "ping")).isEqualTo("ping");
            TransferReport open = connection.transferReport();
            assertThat(open.smoothedRtt()).hasValueSatisfying(rtt ->
                    assertThat(rtt).isPositive().isLessThan(Duration.ofSeconds(1)));
            connection.close();
            Await.result(connection.closed());
            assertThat(connection.transferReport().smoothedRtt()).as("the last value read before Closed").isPresent();
        }
    }

    @Test
    void aConnectionThatNeverBecameReadyReportsNothing() throws Exception {
        int deadPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            deadPort = probe.getLocalPort();
        }
        Connection connection = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", deadPort)).build()
                .initiate();
        Await.failure(connection.closed());
        TransferReport report = connection.transferReport();
        assertThat(report.readyAt()).isEmpty();
        assertThat(report.duration()).isEqualTo(Duration.ZERO);
        assertThat(report.smoothedRtt()).isEmpty();
        assertThat(report.bytesSent() + report.bytesReceived() + report.messagesSent() + report.messagesReceived())
                .isZero();
    }

    @Test
    void tlsWithAFramerCountsPayloadWithoutFramerHeaders() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Preconnection.Builder server = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(TlsConnectionTest.server(TestPki.SERVER)).framer(LengthPrefixFramer.factory(4));
        try (Listener listener = ConnectionGroupTest.echo(server, accepted)) {
            Connection connection = taps.preconnection().remote(RemoteEndpoint.ofHost("localhost", listener.port()))
                    .security(TlsConnectionTest.client()).framer(LengthPrefixFramer.factory(4)).build().initiate();
            Await.result(connection.ready());
            List<Integer> sizes = List.of(10, 1000, 70_000, 5);
            long total = 0;
            for (int size : sizes) {
                connection.send(Message.of(bytes(size)));
                total += size;
            }
            for (int size : sizes) {
                assertThat(Await.result(connection.receive()).length()).isEqualTo(size);
            }
            TransferReport open = connection.transferReport();
            assertThat(open.bytesSent()).isEqualTo(total);
            assertThat(open.messagesSent()).isEqualTo(4);
            assertThat(open.bytesReceived()).isEqualTo(total);
            assertThat(open.messagesReceived()).isEqualTo(4);
            if ("epoll".equals(taps.ioTransport())) {
                assertThat(open.smoothedRtt()).as("TLS/TCP runs on an epoll TCP socket").isPresent();
            }
            connection.close();
            Await.result(connection.closed());
            TransferReport closed = connection.transferReport();
            assertThat(closed.messagesReceived()).as("the FIN between Messages is no Message").isEqualTo(4);
            assertThat(closed.bytesReceived()).isEqualTo(total);
            assertThat(closed.duration()).isPositive();

            long expected = total;
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> accepted.size() == 1
                    && accepted.get(0).transferReport().bytesSent() == expected);
            TransferReport serverSide = accepted.get(0).transferReport();
            assertThat(serverSide.messagesReceived()).isEqualTo(4);
            assertThat(serverSide.bytesReceived()).isEqualTo(total);
            assertThat(serverSide.messagesSent()).isEqualTo(4);
        }
    }

    @Test
    void udpCountsDatagramsAndHasNoRtt() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Preconnection.Builder server = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.unreliableDatagram());
        try (Listener listener = ConnectionGroupTest.echo(server, accepted)) {
            Connection connection = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(TransportProperties.unreliableDatagram()).build().initiate();
            Await.result(connection.ready());
            List<Integer> sizes = List.of(1, 100, 1200, 7);
            long total = 0;
            for (int size : sizes) {
                Await.result(connection.send(Message.of(bytes(size))));
                // One at a time: loopback does not lose datagrams, but the echo must not reorder the count check.
                assertThat(Await.result(connection.receive()).length()).isEqualTo(size);
                total += size;
            }
            TransferReport report = connection.transferReport();
            assertThat(report.messagesSent()).isEqualTo(4);
            assertThat(report.bytesSent()).isEqualTo(total);
            assertThat(report.messagesReceived()).isEqualTo(4);
            assertThat(report.bytesReceived()).isEqualTo(total);
            assertThat(report.smoothedRtt()).isEmpty();
            connection.close();
            Await.result(connection.closed());
            assertThat(connection.transferReport().duration()).isPositive();
        }
    }
}

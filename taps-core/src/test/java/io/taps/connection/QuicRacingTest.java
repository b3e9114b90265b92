package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.EstablishmentReport.Attempt;
import io.taps.monitor.EstablishmentReport.Outcome;
import io.taps.Listener;
import io.taps.Message;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.testing.Await;
import io.taps.testing.Blackhole;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TapsTestSupport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * QUIC racing TLS/TCP (RFC 9623 §4.2, design.md ): with TLS 1.3 as the only allowed
 * version both stacks have identical security, a Listener listens on both (TCP and UDP ports of the
 * same number), and a client races both. Blackholes are real nftables DROP rules for UDP on loopback.
 */
class QuicRacingTest extends TapsTestSupport {

    static Listener dualListener() {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(QuicConnectionTest.server()).build().listen(Echo::serve);
        Await.result(listener.ready());
        return listener;
    }

    static String echo(Connection connection, String text) {
        Await.result(connection.send(Message.of(text)));
        StringBuilder echoed = new StringBuilder();
        while (echoed.length() < text.length()) {
            echoed.append(new String(Await.result(connection.receive()).bytes(), StandardCharsets.UTF_8));
        }
        return echoed.toString();
    }

    @Test
    void listenerWithQuicAndTlsTcpEligibleListensOnBothWithOnePortNumber() {
        try (Listener listener = dualListener()) {
            assertThat(listener.protocolStack()).isEqualTo("QUIC + TLS/TCP");
            Connection quic = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(QuicConnectionTest.quicOnly()).security(QuicConnectionTest.client()).build()
                    .initiate(new RecordingHandler());
            Connection tls = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(TransportProperties.builder().prohibit(Property.MULTISTREAMING).build())
                    .security(QuicConnectionTest.client()).build().initiate(new RecordingHandler());
            assertThat(Await.result(quic.ready()).protocolStack()).contains("QUIC");
            assertThat(Await.result(tls.ready()).protocolStack()).contains("TLS/TCP");
            assertThat(echo(quic, "over quic")).isEqualTo("over quic");
            assertThat(echo(tls, "over tls")).isEqualTo("over tls");
            quic.close();
            tls.close();
            Await.result(quic.closed());
            Await.result(tls.closed());
        }
    }

    @Test
    void aStoppedDualListenerLeavesTransportServicesListeners() {
        Listener listener = dualListener();
        assertThat(taps.listeners()).contains(listener);
        Await.result(listener.stop());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> !taps.listeners().contains(listener));
    }

    /**
     * A UDP socket on a port whose TCP number is free right now: an ephemeral UDP port can be the
     * local port of some TCP connection of the same test run, and then the Listener would fail on
     * its TCP bind instead of the UDP one this test is about.
     */
    static java.net.DatagramSocket udpSquatterOnAFreeTcpPort() throws java.io.IOException {
        for (int attempt = 0; ; attempt++) {
            java.net.DatagramSocket squatter = new java.net.DatagramSocket(new java.net.InetSocketAddress("127.0.0.1", 0));
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.bind(new java.net.InetSocketAddress("127.0.0.1", squatter.getLocalPort()));
                return squatter;
            } catch (java.io.IOException tcpTaken) {
                squatter.close();
                if (attempt == 20) {
                    throw tcpTaken;
                }
            }
        }
    }

    @Test
    void dualListenerWhoseUdpPortIsTakenFailsAndFreesItsTcpPort() throws Exception {
        try (java.net.DatagramSocket squatter = udpSquatterOnAFreeTcpPort()) {
            int port = squatter.getLocalPort();
            Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", port))
                    .security(QuicConnectionTest.server()).build().listen(Connection::abort);
            assertThat(Await.failure(listener.ready())).hasMessageContaining("QUIC");
            // The TCP socket bound first must be closed again: the port number is free for TCP.
            try (java.net.ServerSocket tcp = new java.net.ServerSocket()) {
                tcp.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                assertThat(tcp.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void multistreamingPreferPutsQuicFirstAndQuicWins() {
        try (Listener listener = dualListener()) {
            Connection connection = taps.preconnection()
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(TransportProperties.builder().prefer(Property.MULTISTREAMING).build())
                    .security(QuicConnectionTest.client()).build().initiate(new RecordingHandler());
            Await.result(connection.ready());
            assertThat(connection.protocolStack()).contains("QUIC");
            EstablishmentReport report = connection.establishmentReport();
            assertThat(report.winner()).map(EstablishmentReport.Candidate::stack).contains("QUIC");
            assertThat(report.attempts().get(0).candidate().stack()).isEqualTo("QUIC");
            assertThat(echo(connection, "raced")).isEqualTo("raced");
            connection.close();
            Await.result(connection.closed());
        }
    }

    @Test
    void withQuicBlackholedTlsTcpWinsOneAttemptDelayLaterAndTheReportShowsBoth() {
        try (Listener listener = dualListener(); Blackhole hole = Blackhole.dropUdp("127.0.0.1", listener.port())) {
            Connection connection = taps.preconnection()
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(TransportProperties.builder().prefer(Property.MULTISTREAMING).build())
                    .security(QuicConnectionTest.client()).build().initiate(new RecordingHandler());
            Await.result(connection.ready());
            assertThat(connection.protocolStack()).contains("TLS/TCP");
            EstablishmentReport report = connection.establishmentReport();
            List<Attempt> started = report.startedAttempts();
            assertThat(started).extracting(attempt -> attempt.candidate().stack()).containsExactly("QUIC", "TLS/TCP");
            // The QUIC Initial was never answered: that attempt did not end by itself, it lost.
            assertThat(started.get(0).outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(started.get(1).outcome()).isEqualTo(Outcome.SUCCEEDED);
            long gap = started.get(1).startOffset().orElseThrow().toMillis()
                    - started.get(0).startOffset().orElseThrow().toMillis();
            assertThat(gap).as("TLS/TCP started one protocol delay (250 ms) after QUIC").isBetween(245L, 1500L);
            assertThat(echo(connection, "fallback")).isEqualTo("fallback");
            connection.close();
            Await.result(connection.closed());
        }
    }

    @Test
    void aClientThatAlsoAllowsTls12NeverRacesQuic_Q17() {
        try (Listener listener = dualListener()) {
            io.taps.security.SecurityParameters tls12Too = QuicConnectionTest.client().toBuilder()
                    .allowedProtocols(io.taps.security.TlsVersion.TLS_1_2, io.taps.security.TlsVersion.TLS_1_3).build();
            Connection connection = taps.preconnection()
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(TransportProperties.builder().prefer(Property.MULTISTREAMING).build())
                    .security(tls12Too).build().initiate(new RecordingHandler());
            Await.result(connection.ready());
            assertThat(connection.protocolStack()).contains("TLS/TCP");
            assertThat(connection.establishmentReport().attempts())
                    .extracting(attempt -> attempt.candidate().stack()).containsOnly("TLS/TCP");
            connection.close();
            Await.result(connection.closed());
        }
    }
}

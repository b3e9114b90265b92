package io.taps.spring.quicclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.taps.Connection;
import io.taps.ConnectionGroup;
import io.taps.spring.boot.autoconfigure.actuate.ConnectionDescriptor;
import io.taps.spring.boot.autoconfigure.actuate.GroupDescriptor;
import io.taps.spring.boot.autoconfigure.actuate.TapsDescriptor;
import io.taps.spring.boot.autoconfigure.actuate.TapsEndpoint;
import io.taps.spring.client.TapsClient;
import io.taps.spring.client.TapsClients;
import io.taps.spring.quicclient.QuicClientTestApplication.DigestingEcho;
import io.taps.testing.TestPki;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A {@link TapsClient} whose profile selects QUIC, against a real taps QUIC {@code @TapsListener}
 * (certificates from {@link TestPki}): concurrent requests are spread over clones of one QUIC
 * Connection, i.e. streams of one QUIC connection (RFC 9622 §7.4), each reply reaches its own
 * request (every reply carries the listener's SHA-256 of the request and the request itself), the
 * clones are counted by the meters and listed by the actuator as members of the QUIC connection's
 * group, and a client stopped and started again works.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuicTapsClientTests {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int STREAMS = 4;

    private static ConfigurableApplicationContext context;
    private static TapsClient quic;
    private static TapsClients clients;
    private static DigestingEcho listener;

    @BeforeAll
    static void start() {
        context = new SpringApplicationBuilder(QuicClientTestApplication.class).web(WebApplicationType.NONE)
            .properties(properties())
            .run();
        quic = context.getBean("quic", TapsClient.class);
        clients = context.getBean(TapsClients.class);
        listener = context.getBean(DigestingEcho.class);
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
    }

    static String[] properties() {
        List<String> all = new ArrayList<>(List.of("taps.event-loop-threads=2", "taps.listener.execution=platform",
                "spring.ssl.bundle.pem.quic-server.keystore.certificate=" + TestPki.SERVER.getCertificatePathPEM(),
                "spring.ssl.bundle.pem.quic-server.keystore.private-key=" + TestPki.SERVER.getPrivateKeyPEM(),
                "spring.ssl.bundle.pem.quic-trust.truststore.certificate=" + TestPki.ROOT.getCertificatePEM(),
                "taps.clients.quic.profile=quic-client", "taps.clients.quic.remote.host=127.0.0.1",
                "taps.clients.quic.remote.port=${local.taps.quic-echo.port}",
                "taps.clients.quic.pool.max-connections=" + STREAMS,
                "taps.clients.quic.request-timeout=30s",
                "management.endpoints.web.exposure.include=taps"));
        for (String side : new String[] { "quic-server", "quic-client" }) {
            // Requiring multistreaming leaves QUIC as the only stack (RFC 9622 §6.2.8).
            all.add("taps.profiles." + side + ".base=reliable-inorder-stream");
            all.add("taps.profiles." + side + ".selection.multistreaming=require");
            all.add("taps.profiles." + side + ".framers=length-prefix");
            all.add("taps.profiles." + side + ".security.alpn=taps-test");
        }
        all.add("taps.profiles.quic-server.security.ssl-bundle=quic-server");
        all.add("taps.profiles.quic-client.security.ssl-bundle=quic-trust");
        return all.toArray(String[]::new);
    }

    @Test
    @Order(1)
    void concurrentRequestsUseStreamsOfOneQuicConnectionAndEachGetsItsOwnReply() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        listener.gate = gate;
        List<Exchange> exchanges = new ArrayList<>();
        try {
            // Requests held by the listener keep the first stream busy: the client opens more.
            exchanges.addAll(requests(0, 24));
            await().atMost(WAIT).until(() -> clients.connections("quic").size() == STREAMS);
            // Now every stream is Ready: new requests go to the least loaded ones, the clones.
            exchanges.addAll(requests(24, 24));
        }
        finally {
            gate.countDown();
        }
        for (Exchange exchange : exchanges) {
            exchange.assertAnswered();
        }

        List<Connection> connections = clients.connections("quic");
        assertThat(connections).hasSize(STREAMS);
        ConnectionGroup group = connections.get(0).group();
        assertThat(group.multiplexed()).isTrue();
        assertThat(connections).allSatisfy(connection -> {
            assertThat(connection.protocolStack()).contains("QUIC");
            assertThat(connection.group()).isSameAs(group);
        });
    }

    @Test
    @Order(2)
    void theClonesAreCountedAndListedAsMembersOfTheQuicConnectionsGroup() {
        MeterRegistry meters = context.getBean(MeterRegistry.class);
        // Each stream the client opened is a Connection it made: counted, active, its bytes its own.
        await().atMost(WAIT).untilAsserted(() -> assertThat(meters.get("taps.connections")
            .tag("taps.client", "quic").tag("taps.role", "initiate").tag("taps.protocol.stack", "QUIC")
            .counter()
            .count()).isEqualTo(STREAMS));
        assertThat(meters.get("taps.connections.active").tag("taps.client", "quic").gauge().value())
            .isEqualTo(STREAMS);
        assertThat(meters.get("taps.messages").tag("taps.client", "quic").tag("taps.direction", "in").counter().count())
            .isEqualTo(48);

        TapsDescriptor taps = context.getBean(TapsEndpoint.class).taps();
        List<ConnectionDescriptor> clientConnections = taps.connections()
            .stream()
            .filter(connection -> "quic".equals(connection.client()))
            .toList();
        assertThat(clientConnections).hasSize(STREAMS).allSatisfy(connection -> {
            assertThat(connection.profile()).isEqualTo("quic-client");
            assertThat(connection.group()).isEqualTo(clientConnections.get(0).group());
        });
        GroupDescriptor group = taps.groups()
            .stream()
            .filter(candidate -> candidate.id().equals(clientConnections.get(0).group()))
            .findFirst()
            .orElseThrow();
        assertThat(group.multiplexed()).isTrue();
        assertThat(group.connections())
            .containsExactlyInAnyOrderElementsOf(clientConnections.stream().map(ConnectionDescriptor::id).toList());
    }

    @Test
    @Order(3)
    void aClientStoppedAndStartedAgainWorksOnANewQuicConnection() throws Exception {
        requests(100, 1).get(0).assertAnswered();
        List<Connection> before = clients.connections("quic");
        context.stop();
        // The listener stopped first (its QUIC connection closed, RFC 9000 §10.2) or the client closed them.
        await().atMost(WAIT)
            .until(() -> before.stream().allMatch(connection -> connection.closed().toCompletableFuture().isDone()));
        MeterRegistry meters = context.getBean(MeterRegistry.class);
        // Every stream's Closed was reported, the clones' too.
        await().atMost(WAIT).untilAsserted(() -> assertThat(meters.find("taps.connections.active")
            .tag("taps.client", "quic")
            .gauges()
            .stream()
            .mapToDouble(Gauge::value)
            .sum()).isZero());
        context.start();
        List<Exchange> after = requests(200, 3);
        for (Exchange exchange : after) {
            exchange.assertAnswered();
        }
        assertThat(clients.connections("quic")).isNotEmpty().doesNotContainAnyElementsOf(before);
    }

    private static List<Exchange> requests(int first, int count) {
        List<Exchange> sent = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            byte[] payload = new byte[100 + 37 * i];
            new Random(i).nextBytes(payload);
            sent.add(new Exchange(payload, quic.request(payload, byte[].class).toCompletableFuture()));
        }
        return sent;
    }

    /** A request's payload and its reply: the listener's SHA-256 of what it received, then that. */
    private record Exchange(byte[] payload, CompletableFuture<byte[]> reply) {
        void assertAnswered() throws Exception {
            byte[] answer = this.reply.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(Arrays.copyOfRange(answer, 0, 32)).isEqualTo(QuicClientTestApplication.sha256(this.payload));
            assertThat(Arrays.copyOfRange(answer, 32, answer.length)).isEqualTo(this.payload);
        }
    }
}

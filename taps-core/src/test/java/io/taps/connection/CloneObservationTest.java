package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.monitor.EstablishmentResult;
import io.taps.monitor.TransportObserver;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A clone (RFC 9622 §7.4) is reported to the {@link TransportObserver} like any other Connection:
 * its establishment (started within Clone), its Messages and bytes, its Closed, with the group it
 * joined; on TCP (a new connection of the group) and on QUIC (a new stream of the same QUIC
 * connection). The peer's side of a QUIC clone, a stream the peer opened, is one accepted
 * Connection, reported once.
 */
class CloneObservationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static TransportServices taps;
    private static final PerConnection observer = new PerConnection();

    /** Every callback as a line, kept per Connection. */
    static final class PerConnection implements TransportObserver {
        final Map<Connection, List<String>> events = new ConcurrentHashMap<>();
        final Map<Connection, EstablishmentResult> results = new ConcurrentHashMap<>();
        final List<Map.Entry<Listener, Connection>> received = new CopyOnWriteArrayList<>();

        List<String> of(Connection connection) {
            return events.computeIfAbsent(connection, c -> Collections.synchronizedList(new ArrayList<>()));
        }

        List<String> snapshot(Connection connection) {
            List<String> lines = of(connection);
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        @Override
        public void establishmentStarted(Connection connection) {
            of(connection).add("establishmentStarted");
        }

        @Override
        public void establishmentFinished(Connection connection, EstablishmentResult result) {
            results.put(connection, result);
            of(connection).add("establishmentFinished " + result.succeeded());
        }

        @Override
        public void connectionReceived(Listener listener, Connection connection) {
            received.add(Map.entry(listener, connection));
            of(connection).add("connectionReceived");
        }

        @Override
        public void connectionClosed(Connection connection, Optional<ErrorReason> error) {
            of(connection).add("connectionClosed " + error.map(Enum::name).orElse("-"));
        }

        @Override
        public void messageSent(Connection connection, int bytes) {
            of(connection).add("sent " + bytes);
        }

        @Override
        public void messageReceived(Connection connection, int bytes, boolean endOfMessage) {
            of(connection).add("received " + bytes);
        }

        @Override
        public void error(Connection connection, ErrorKind kind, ErrorReason reason) {
            of(connection).add("error " + kind + " " + reason.name());
        }
    }

    @BeforeAll
    static void start() {
        taps = TransportServices.builder().eventLoopThreads(2).observer(observer).build();
    }

    @AfterAll
    static void stop() {
        taps.close();
    }

    @Test
    void aTcpCloneIsReportedAsItsOwnConnectionOfTheGroup() {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .framer(LengthPrefixFramer.factory(4)).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(Echo::serve);
        try (listener) {
            Await.result(listener.ready());
            Connection original = taps.preconnection().security(SecurityParameters.disabled())
                    .framer(LengthPrefixFramer.factory(4))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            Await.result(original.ready());
            assertEchoes(original, 100);

            Connection clone = original.clone();
            // Reported within Clone, as Initiate reports within Initiate (and first).
            assertThat(observer.snapshot(clone)).isNotEmpty().first().isEqualTo("establishmentStarted");
            Await.result(clone.ready());
            assertEchoes(clone, 3000);
            assertEchoes(clone, 70);

            assertReportedClone(original, clone, "TCP", List.of(3000, 70));
            // A TCP clone is a new connection: the Listener accepted a second one.
            Awaitility.await().atMost(WAIT).until(() -> acceptedBy(listener).size() == 2);
            closeAndAwaitReportedClose(original, clone);
        }
    }

    @Test
    void aQuicCloneIsReportedAsItsOwnStreamConnectionAndThePeerSeesItOnce() {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(QuicConnectionTest.quicOnly()).security(QuicConnectionTest.server())
                .framer(LengthPrefixFramer.factory(4)).build().listen(Echo::serve);
        try (listener) {
            Await.result(listener.ready());
            Connection original = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(QuicConnectionTest.quicOnly()).security(QuicConnectionTest.client())
                    .framer(LengthPrefixFramer.factory(4)).build().initiate();
            Await.result(original.ready());
            assertEchoes(original, 100);

            Connection clone = original.clone();
            // Reported within Clone; a new stream may already be Ready when clone() returns.
            assertThat(observer.snapshot(clone)).isNotEmpty().first().isEqualTo("establishmentStarted");
            Await.result(clone.ready());
            assertEchoes(clone, 5000);
            assertEchoes(clone, 9);

            assertReportedClone(original, clone, "QUIC", List.of(5000, 9));
            assertThat(observer.results.get(clone).attemptCount()).isEqualTo(1);

            // The peer's streams: two accepted Connections of one group, each received once.
            Awaitility.await().atMost(WAIT).until(() -> acceptedBy(listener).size() == 2);
            List<Connection> streams = acceptedBy(listener);
            assertThat(streams.get(1).group()).isSameAs(streams.get(0).group());
            assertThat(observer.snapshot(streams.get(1))).containsExactly("connectionReceived", "received 5000",
                    "sent 5000", "received 9", "sent 9");
            clone.close();
            Awaitility.await().atMost(WAIT).until(() -> closes(streams.get(1)) > 0);
            closeAndAwaitReportedClose(original, clone);
            // The original's stream closed on the server after (and on the same QUIC connection as)
            // the clone's: by then a second report of the clone's stream would have come.
            Awaitility.await().atMost(WAIT).until(() -> closes(streams.get(0)) > 0);
            assertThat(closes(streams.get(1))).isEqualTo(1);
            assertThat(closes(streams.get(0))).isEqualTo(1);
        }
    }

    private static long closes(Connection connection) {
        return observer.snapshot(connection).stream().filter(e -> e.startsWith("connectionClosed")).count();
    }

    private static List<Connection> acceptedBy(Listener listener) {
        return observer.received.stream().filter(entry -> entry.getKey() == listener).map(Map.Entry::getValue)
                .toList();
    }

    private static void assertReportedClone(Connection original, Connection clone, String stack,
            List<Integer> sizes) {
        List<String> expected = new ArrayList<>(List.of("establishmentStarted", "establishmentFinished true"));
        for (int size : sizes) {
            expected.add("sent " + size);
            expected.add("received " + size);
        }
        Awaitility.await().atMost(WAIT).until(() -> observer.snapshot(clone).size() >= expected.size());
        assertThat(observer.snapshot(clone)).containsExactlyElementsOf(expected);
        EstablishmentResult result = observer.results.get(clone);
        assertThat(result.protocolStack()).isEqualTo(clone.protocolStack());
        assertThat(result.protocolStack().orElseThrow()).contains(stack);
        assertThat(clone.group()).isSameAs(original.group());
        assertThat(original.group().connections()).contains(original, clone);
        // The original's own story has nothing of the clone's traffic in it.
        assertThat(observer.snapshot(original)).containsExactly("establishmentStarted", "establishmentFinished true",
                "sent 100", "received 100");
    }

    private static void closeAndAwaitReportedClose(Connection original, Connection clone) {
        clone.close();
        Await.result(clone.closed());
        Awaitility.await().atMost(WAIT).until(() -> observer.snapshot(clone).contains("connectionClosed -"));
        original.close();
        Await.result(original.closed());
        Awaitility.await().atMost(WAIT).until(() -> observer.snapshot(original).contains("connectionClosed -"));
        assertThat(closes(clone)).isEqualTo(1);
    }

    /** Sends {@code size} random bytes and checks the echo's SHA-256 against them. */
    private static void assertEchoes(Connection connection, int size) {
        byte[] payload = new byte[size];
        new Random(size).nextBytes(payload);
        Await.result(connection.send(Message.of(payload)));
        Message echoed = Await.result(connection.receive());
        assertThat(sha256(echoed.bytes())).isEqualTo(sha256(payload));
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.taps;

import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.EstablishmentResult;
import io.taps.monitor.TransportObserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The observer hook (not RFC 9622; the statistics RFC 9623 §4 leaves to implementations) sees
 * exactly what happened in known exchanges over real loopback sockets.
 */
class TransportObserverTest {

    /** Writes every callback as one line, so a test can compare the whole story. */
    static final class Recording implements TransportObserver {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final List<EstablishmentResult> results = Collections.synchronizedList(new ArrayList<>());
        volatile Connection accepted;
        volatile Listener acceptedBy;

        @Override
        public void establishmentStarted(Connection connection) {
            events.add("establishmentStarted");
        }

        @Override
        public void establishmentFinished(Connection connection, EstablishmentResult result) {
            results.add(result);
            events.add("establishmentFinished " + result.succeeded());
        }

        @Override
        public void connectionReceived(Listener listener, Connection connection) {
            accepted = connection;
            acceptedBy = listener;
            events.add("connectionReceived");
        }

        @Override
        public void connectionClosed(Connection connection, Optional<ErrorReason> error) {
            events.add("connectionClosed " + side(connection) + " " + error.map(Enum::name).orElse("-"));
        }

        @Override
        public void messageSent(Connection connection, int bytes) {
            events.add("sent " + side(connection) + " " + bytes);
        }

        @Override
        public void messageReceived(Connection connection, int bytes, boolean endOfMessage) {
            events.add("received " + side(connection) + " " + bytes + (endOfMessage ? "" : " partial"));
        }

        @Override
        public void endOfStreamReceived(Connection connection) {
            events.add("endOfStream " + side(connection));
        }

        @Override
        public void error(Connection connection, ErrorKind kind, ErrorReason reason) {
            events.add("error " + side(connection) + " " + kind + " " + reason.name());
        }

        private String side(Connection connection) {
            return connection == accepted ? "server" : "client";
        }

        List<String> matching(String prefix) {
            synchronized (events) {
                return events.stream().filter(e -> e.startsWith(prefix)).toList();
            }
        }
    }

    @Test
    void seesEveryMessageAndBothClosesOfAFramedEchoExchange() {
        Recording observer = new Recording();
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).observer(observer).build()) {
            Listener listener = taps.preconnection().security(SecurityParameters.disabled()).framer(LengthPrefixFramer.factory(4))
                    .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(TransportObserverTest::echo);
            Await.result(listener.ready());
            Connection client = taps.preconnection().security(SecurityParameters.disabled()).framer(LengthPrefixFramer.factory(4))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            Await.result(client.ready());
            for (int size : new int[] {5, 10, 20}) {
                Await.result(client.send(new byte[size]));
                assertThat(Await.result(client.receive()).length()).isEqualTo(size);
            }
            // An empty framed Message is a Message the peer sent (unlike its end of stream).
            Await.result(client.send(new byte[0]));
            client.close();
            Await.result(client.closed());
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.matching("connectionClosed").size() == 2);

            assertThat(observer.acceptedBy).isSameAs(listener);
            assertThat(observer.matching("establishment")).containsExactly("establishmentStarted",
                    "establishmentFinished true");
            EstablishmentResult result = observer.results.get(0);
            assertThat(result.protocolStack()).isEqualTo(client.protocolStack());
            assertThat(result.failure()).isEmpty();
            assertThat(result.attemptCount()).isEqualTo(1);
            assertThat(result.attemptOutcomes()).isEqualTo(Map.of(EstablishmentReport.Outcome.SUCCEEDED, 1));
            assertThat(observer.matching("connectionReceived")).hasSize(1);
            assertThat(observer.matching("sent client")).containsExactly("sent client 5", "sent client 10",
                    "sent client 20", "sent client 0");
            assertThat(observer.matching("sent server")).containsExactly("sent server 5", "sent server 10",
                    "sent server 20");
            assertThat(observer.matching("received client")).containsExactly("received client 5",
                    "received client 10", "received client 20");
            // The client's end of stream (an empty final Message) is not a Message it sent: it is
            // reported apart, and the empty Message it did send is a Message.
            assertThat(observer.matching("received server")).containsExactly("received server 5",
                    "received server 10", "received server 20", "received server 0");
            assertThat(observer.matching("endOfStream")).containsExactly("endOfStream server");
            assertThat(observer.matching("connectionClosed")).containsExactlyInAnyOrder("connectionClosed client -",
                    "connectionClosed server -");
            assertThat(observer.matching("error")).isEmpty();
        }
    }

    @Test
    void aRefusedConnectIsAFailedEstablishmentWithOneFailedAttemptAndNoClose() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        Recording observer = new Recording();
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).observer(observer).build()) {
            Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", closedPort))
                    .build().initiate();
            TransportServicesException failure = (TransportServicesException) Await.failure(client.ready());
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.matching("error").size() == 1);

            EstablishmentResult result = observer.results.get(0);
            assertThat(result.succeeded()).isFalse();
            assertThat(result.failure()).contains(failure.reason());
            assertThat(result.protocolStack()).isEmpty();
            assertThat(result.attemptOutcomes()).isEqualTo(Map.of(EstablishmentReport.Outcome.FAILED, 1));
            assertThat(observer.matching("error")).containsExactly("error client ESTABLISHMENT " + failure.reason().name());
            assertThat(observer.matching("connectionClosed")).isEmpty();
        }
    }

    @Test
    void anAbortIsAConnectionErrorAndAFailedReceiveOnTheAbortingSide() {
        Recording observer = new Recording();
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).observer(observer).build()) {
            Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                    .listen(connection -> connection.receive());
            Await.result(listener.ready());
            Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .build().initiate();
            Await.result(client.ready());
            client.receive();
            client.abort();
            Await.failure(client.closed());
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.matching("connectionClosed").size() == 2);

            assertThat(observer.matching("connectionClosed client")).containsExactly(
                    "connectionClosed client LOCAL_ABORT");
            // The server's pending Receive and its Connection see the reset as ConnectionAborted.
            assertThat(observer.matching("error")).containsExactlyInAnyOrder("error client RECEIVE LOCAL_ABORT",
                    "error client CONNECTION LOCAL_ABORT", "error server RECEIVE CONNECTION_ABORTED",
                    "error server CONNECTION CONNECTION_ABORTED");
            assertThat(observer.matching("connectionClosed server")).containsExactly(
                    "connectionClosed server CONNECTION_ABORTED");
        }
    }

    @Test
    void aThrowingObserverBreaksNeitherTheConnectionNorTheObserversAfterIt() {
        AtomicInteger calls = new AtomicInteger();
        TransportObserver throwing = new TransportObserver() {
            @Override
            public void messageSent(Connection connection, int bytes) {
                calls.incrementAndGet();
                throw new IllegalStateException("metrics backend down");
            }
        };
        Recording recording = new Recording();
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).observer(throwing)
                .observer(recording).build()) {
            Listener listener = taps.preconnection().security(SecurityParameters.disabled()).framer(LengthPrefixFramer.factory(4))
                    .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(TransportObserverTest::echo);
            Await.result(listener.ready());
            Connection client = taps.preconnection().security(SecurityParameters.disabled()).framer(LengthPrefixFramer.factory(4))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            Await.result(client.send("hello"));
            assertThat(Await.result(client.receive()).bytes()).isEqualTo("hello".getBytes());
            await().atMost(Duration.ofSeconds(10)).until(() -> recording.matching("sent").size() == 2);
            assertThat(calls).hasValue(2);
        }
    }

    @Test
    void withoutObserversTheCompositeIsNone() {
        assertThat(io.taps.internal.observe.CompositeObserver.of(List.of())).isSameAs(TransportObserver.NONE);
        assertThat(io.taps.internal.observe.CompositeObserver.of(List.of(TransportObserver.NONE))).isSameAs(TransportObserver.NONE);
    }

    private static void echo(Connection connection) {
        connection.receive().whenComplete((message, failure) -> {
            if (failure != null) {
                return;
            }
            if (message.length() > 0) {
                connection.send(Message.of(message.bytes()));
            }
            if (message.endOfMessage() && message.context().isFinal()) {
                connection.close();
            } else {
                echo(connection);
            }
        });
    }
}

package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.Preconnection;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TapsTestSupport;
import io.taps.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** QUIC streams as Connections over real loopback UDP with generated certificates (RFC 9622 §6.2.6, Q-15, Q-16). */
class QuicConnectionTest extends TapsTestSupport {
    static final String ALPN = "echo/1";

    /** Server parameters: the test PKI's server identity, TLS 1.3 only, one ALPN protocol. */
    static SecurityParameters server() {
        return SecurityParameters.builder()
                .identity(Identity.of(TestPki.SERVER.getKeyPair().getPrivate(), TestPki.SERVER.getCertificatePath()))
                .allowedProtocols(TlsVersion.TLS_1_3).alpn(ALPN).build();
    }

    static SecurityParameters client() {
        return SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate())
                .allowedProtocols(TlsVersion.TLS_1_3).alpn(ALPN).build();
    }

    /** Only QUIC can meet multistreaming=Require. */
    static TransportProperties quicOnly() {
        return TransportProperties.builder().require(Property.MULTISTREAMING).build();
    }

    static Listener quicEcho(String address, boolean framed) {
        Preconnection.Builder builder = taps.preconnection().local(LocalEndpoint.ofAddress(address, 0))
                .properties(quicOnly()).security(server());
        if (framed) {
            builder.framer(LengthPrefixFramer.factory(4));
        }
        Listener listener = builder.build().listen(Echo::serve);
        Await.result(listener.ready());
        assertThat(listener.protocolStack()).isEqualTo("QUIC");
        return listener;
    }

    static Preconnection.Builder quicClient(String address, int port) {
        return taps.preconnection().remote(RemoteEndpoint.ofAddress(address, port)).properties(quicOnly())
                .security(client());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void echoesByteExactOverAQuicStream(String address) {
        try (Listener listener = quicEcho(address, false)) {
            RecordingHandler events = new RecordingHandler();
            Connection client = quicClient(address, listener.port()).build().initiate(events);
            Await.result(client.ready());
            assertThat(client.protocolStack()).contains("QUIC");
            assertThat(client.negotiatedApplicationProtocol()).contains(ALPN);
            byte[] payload = new byte[200_000];
            new Random(42).nextBytes(payload);
            Await.result(client.send(Message.of(payload)));
            java.io.ByteArrayOutputStream echoed = new java.io.ByteArrayOutputStream();
            while (echoed.size() < payload.length) {
                echoed.writeBytes(Await.result(client.receive()).bytes());
            }
            assertThat(echoed.toByteArray()).isEqualTo(payload);
            client.close();
            Await.result(client.closed());
            assertThat(events.events()).startsWith("Ready", "Sent").endsWith("Closed");
        }
    }

    @org.junit.jupiter.api.Test
    void echoesWholeMessagesWithALengthPrefixFramer_Q3() {
        try (Listener listener = quicEcho("127.0.0.1", true)) {
            Connection client = quicClient("127.0.0.1", listener.port()).framer(LengthPrefixFramer.factory(4))
                    .build().initiate(new RecordingHandler());
            Await.result(client.ready());
            for (int i = 0; i < 20; i++) {
                String text = "message " + i + " " + "x".repeat(i * 97);
                Await.result(client.send(Message.of(text)));
                Message echoed = Await.result(client.receive());
                assertThat(echoed.endOfMessage()).isTrue();
                assertThat(new String(echoed.bytes(), StandardCharsets.UTF_8)).isEqualTo(text);
            }
            client.close();
            Await.result(client.closed());
        }
    }

    static Listener quicListener(io.taps.ListenerEventHandler handler) {
        return quicListener(quicOnly(), handler);
    }

    static Listener quicListener(TransportProperties properties, io.taps.ListenerEventHandler handler) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).properties(properties)
                .security(server()).build().listen(handler);
        Await.result(listener.ready());
        return listener;
    }

    /** A QUIC Listener that opted in to 0-RTT early data (its zeroRttMsg, RFC 9622 §6.2.5). */
    static Listener zeroRttQuicListener(io.taps.ListenerEventHandler handler) {
        return quicListener(quicOnly().toBuilder().zeroRttMsg(io.taps.properties.Preference.PREFER).build(), handler);
    }

    /** A QUIC echo Listener that records each received Connection's events in {@code serverEvents}. */
    static Listener recordingQuicEcho(java.util.List<RecordingHandler> serverEvents) {
        return quicListener(connection -> {
            RecordingHandler events = new RecordingHandler();
            connection.setEventHandler(events);
            serverEvents.add(events);
            Echo.serve(connection);
        });
    }

    static byte[] payload(int seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] receiveExactly(Connection connection, int length) {
        java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        while (received.size() < length) {
            received.writeBytes(Await.result(connection.receive()).bytes());
        }
        return received.toByteArray();
    }

    @org.junit.jupiter.api.Test
    void hundredConcurrentStreamsOfOneQuicConnectionEachEchoByteExact_Q16() {
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Set<Integer> peers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (Listener listener = quicListener(connection -> {
            received.incrementAndGet();
            peers.add(connection.remoteEndpoint().orElseThrow().port().getAsInt());
            Echo.serve(connection);
        })) {
            Connection first = quicClient("127.0.0.1", listener.port()).build().initiate(new RecordingHandler());
            Await.result(first.ready());
            io.taps.internal.quic.QuicSession session = io.taps.internal.quic.QuicSession.of(first).orElseThrow();
            java.util.List<Connection> streams = new java.util.ArrayList<>();
            streams.add(first);
            for (int i = 1; i < 100; i++) {
                streams.add(session.openStream(new RecordingHandler()));
            }
            for (int i = 0; i < streams.size(); i++) {
                Connection stream = streams.get(i);
                Await.result(stream.ready());
                assertThat(stream.protocolStack()).contains("QUIC");
                assertThat(io.taps.internal.quic.QuicSession.of(stream)).containsSame(session);
                stream.send(Message.of(payload(i, 3_000 + i * 37)));
            }
            for (int i = 0; i < streams.size(); i++) {
                assertThat(receiveExactly(streams.get(i), 3_000 + i * 37)).isEqualTo(payload(i, 3_000 + i * 37));
            }
            assertThat(received).hasValue(100);
            // Every stream is one ConnectionReceived, all from the same client socket (one QUIC connection).
            assertThat(peers).hasSize(1);
            streams.forEach(Connection::close);
            streams.forEach(stream -> Await.result(stream.closed()));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> !session.channel().isActive());
        }
    }

    @org.junit.jupiter.api.Test
    void listenerDeliversEachStreamAsConnectionReceivedWithinNewConnectionLimit() throws Exception {
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        try (Listener listener = zeroRttQuicListener(connection -> {
            received.incrementAndGet();
            Echo.serve(connection);
        })) {
            listener.setNewConnectionLimit(2);
            Connection first = quicClient("127.0.0.1", listener.port()).build().initiate(new RecordingHandler());
            Await.result(first.ready());
            io.taps.internal.quic.QuicSession session = io.taps.internal.quic.QuicSession.of(first).orElseThrow();
            Connection second = session.openStream(new RecordingHandler());
            Connection third = session.openStream(new RecordingHandler());
            for (Connection stream : java.util.List.of(first, second, third)) {
                Await.result(stream.ready());
                stream.send(Message.of("hello"));
            }
            assertThat(new String(receiveExactly(first, 5), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(new String(receiveExactly(second, 5), StandardCharsets.UTF_8)).isEqualTo("hello");
            Thread.sleep(300); // the third stream's data has had time to arrive; it must stay held
            assertThat(received).hasValue(2);
            assertThat(listener.newConnectionLimit()).isZero();
            listener.setNewConnectionLimit(1);
            assertThat(new String(receiveExactly(third, 5), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(received).hasValue(3);
            for (Connection stream : java.util.List.of(first, second, third)) {
                stream.close();
                Await.result(stream.closed());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void withoutAlpnQuicIsNoCandidateAndTheReasonSaysSo() {
        SecurityParameters noAlpn = SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate())
                .allowedProtocols(TlsVersion.TLS_1_3).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> taps.preconnection()
                        .remote(RemoteEndpoint.ofAddress("127.0.0.1", 4433)).properties(quicOnly()).security(noAlpn)
                        .build().initiate())
                .isInstanceOf(io.taps.TransportServicesException.class)
                .hasMessageContaining("QUIC removed because").hasMessageContaining("ALPN")
                .extracting(e -> ((io.taps.TransportServicesException) e).reason())
                .isEqualTo(io.taps.ErrorReason.NO_CANDIDATES);
    }

    @org.junit.jupiter.api.Test
    void quicDoesNotRaceTlsTcpWhenTls12IsAllowedButServesARequireAlone_Q17() {
        SecurityParameters tls12Too = SecurityParameters.builder().identity(Identity.of(
                        TestPki.SERVER.getKeyPair().getPrivate(), TestPki.SERVER.getCertificatePath()))
                .alpn(ALPN).build();
        // No requirement: TLS/TCP (which can meet TLS 1.2 as well) is chosen, QUIC (TLS 1.3 only) stays out.
        try (Listener tls = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).security(tls12Too)
                .build().listen(Echo::serve)) {
            Await.result(tls.ready());
            assertThat(tls.protocolStack()).isEqualTo("TLS/TCP");
        }
        // multistreaming=Require leaves QUIC alone, racing nothing: allowed.
        try (Listener quic = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).properties(quicOnly())
                .security(tls12Too).build().listen(Echo::serve)) {
            Await.result(quic.ready());
            assertThat(quic.protocolStack()).isEqualTo("QUIC");
        }
    }

    @org.junit.jupiter.api.Test
    void untrustedCertificateFailsWithSecurityFailedAsOnTlsTcp_Q17() {
        SecurityParameters other = SecurityParameters.builder().identity(Identity.of(
                        TestPki.SERVER_FROM_OTHER.getKeyPair().getPrivate(),
                        TestPki.SERVER_FROM_OTHER.getCertificatePath()))
                .allowedProtocols(TlsVersion.TLS_1_3).alpn(ALPN).build();
        try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(quicOnly()).security(other).build().listen(Echo::serve)) {
            Await.result(listener.ready());
            RecordingHandler events = new RecordingHandler();
            Connection client = quicClient("127.0.0.1", listener.port()).build().initiate(events);
            io.taps.TransportServicesException failure = (io.taps.TransportServicesException) Await.failure(
                    client.ready());
            assertThat(failure.reason()).isEqualTo(io.taps.ErrorReason.SECURITY_FAILED);
            assertThat(failure.getMessage()).containsIgnoringCase("untrusted");
            assertThat(events.events()).containsExactly("EstablishmentError:SecurityFailed");
        }
    }

    @org.junit.jupiter.api.Test
    void hostnameMismatchFailsWithSecurityFailed_Q17() {
        try (Listener listener = quicListener(Echo::serve)) {
            Connection client = quicClient("127.0.0.1", listener.port())
                    .security(client().toBuilder().serverName("other.test").build()).build().initiate();
            io.taps.TransportServicesException failure = (io.taps.TransportServicesException) Await.failure(
                    client.ready());
            // Same reason as TLS/TCP; BoringSSL's QUIC verify callback reports every rejection as
            // CERTIFICATE_VERIFY_FAILED, so the wording cannot name the hostname.
            assertThat(failure.reason()).isEqualTo(io.taps.ErrorReason.SECURITY_FAILED);
            // The same name without hostname verification connects: the failure was the hostname check.
            Connection unchecked = quicClient("127.0.0.1", listener.port()).security(client().toBuilder()
                    .serverName("other.test").verifyHostname(false).build()).build().initiate();
            Await.result(unchecked.ready());
            unchecked.close();
            Await.result(unchecked.closed());
        }
    }

    @org.junit.jupiter.api.Test
    void smoothedRttComesFromQuicPathStatistics() {
        try (Listener listener = quicListener(Echo::serve)) {
            Connection client = quicClient("127.0.0.1", listener.port()).build().initiate(new RecordingHandler());
            Await.result(client.ready());
            io.taps.internal.quic.QuicStreamLink link = (io.taps.internal.quic.QuicStreamLink)
                    ((io.taps.internal.conn.TapsConnection) client).link();
            java.util.Optional<java.time.Duration> rtt = Await.result(link.collectSmoothedRtt());
            assertThat(rtt).isPresent();
            assertThat(rtt.get()).isPositive().isLessThan(java.time.Duration.ofSeconds(1));
            client.close();
            Await.result(client.closed());
            assertThat(Await.result(link.collectSmoothedRtt())).isEmpty();
        }
    }

    static Message replayable(String text) {
        return Message.of(text).withContext(io.taps.MessageContext.of(
                io.taps.properties.MessageProperties.builder().safelyReplayable(true).build()));
    }

    static boolean carriedEarlyData(Connection clientSide) {
        return ((io.taps.internal.quic.QuicStreamLink) ((io.taps.internal.conn.TapsConnection) clientSide).link())
                .carriedEarlyData();
    }

    @org.junit.jupiter.api.Test
    void resumedConnectionSendsASafelyReplayableInitiateWithSendMessageAsZeroRttData_M45() {
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        // A client configuration of its own: a fresh context, so a fresh QUIC session cache.
        SecurityParameters resuming = client().toBuilder().cachedSessionLifetime(java.time.Duration.ofSeconds(301))
                .build();
        try (Listener listener = zeroRttQuicListener(connection -> {
            received.incrementAndGet();
            Echo.serve(connection);
        })) {
            Preconnection preconnection = quicClient("127.0.0.1", listener.port()).security(resuming).build();
            // First contact: no session ticket yet, so the message waits for the handshake.
            Connection first = preconnection.initiateWithSend(replayable("first"), new RecordingHandler());
            assertThat(new String(receiveExactly(first, 5), StandardCharsets.UTF_8)).isEqualTo("first");
            assertThat(carriedEarlyData(first)).isFalse();
            first.close();
            Await.result(first.closed());
            // Resumed: the safelyReplayable message travels as 0-RTT early data, and Sent follows Ready.
            RecordingHandler secondEvents = new RecordingHandler();
            Connection second = preconnection.initiateWithSend(replayable("again"), secondEvents);
            assertThat(new String(receiveExactly(second, 5), StandardCharsets.UTF_8)).isEqualTo("again");
            assertThat(carriedEarlyData(second)).isTrue();
            assertThat(second.establishmentReport().attempts()).singleElement()
                    .satisfies(attempt -> assertThat(attempt.earlyData()).isTrue());
            assertThat(first.establishmentReport().attempts()).singleElement()
                    .satisfies(attempt -> assertThat(attempt.earlyData()).isFalse());
            assertThat(secondEvents.events()).startsWith("Ready", "Sent");
            // A message that is not safelyReplayable never goes early, even with a ticket at hand.
            Connection third = preconnection.initiateWithSend(Message.of("plain"), new RecordingHandler());
            assertThat(new String(receiveExactly(third, 5), StandardCharsets.UTF_8)).isEqualTo("plain");
            assertThat(carriedEarlyData(third)).isFalse();
            assertThat(received).hasValue(3);
            for (Connection connection : java.util.List.of(second, third)) {
                connection.close();
                Await.result(connection.closed());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void stoppingAQuicListenerClosesItsQuicConnectionsSoTheClientLearnsAtOnce() {
        java.util.List<RecordingHandler> serverEvents = new java.util.concurrent.CopyOnWriteArrayList<>();
        Listener listener = recordingQuicEcho(serverEvents);
        RecordingHandler clientEvents = new RecordingHandler();
        Connection client = quicClient("127.0.0.1", listener.port()).build().initiate(clientEvents);
        Await.result(client.ready());
        client.send(Message.of("hi"));
        assertThat(new String(receiveExactly(client, 2), StandardCharsets.UTF_8)).isEqualTo("hi");
        io.taps.internal.quic.QuicSession session = io.taps.internal.quic.QuicSession.of(client).orElseThrow();

        Await.result(listener.stop());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> serverEvents.get(0).terminal.isDone());
        // The server's QUIC connection sent CONNECTION_CLOSE before its socket went: the client does
        // not wait for its idle timeout (30 s) to see that the connection is gone.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> clientEvents.terminal.isDone());
        assertThat(session.channel().isActive()).isFalse();
        assertThat(clientEvents.events()).last().asString().startsWith("ConnectionError");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void localEndpointOfAQuicClientStreamIsTheAddressItSendsFrom(String address) {
        // Not the wildcard its UDP socket would be bound to: PathChange matches Connections by this address.
        try (Listener listener = quicEcho(address, false)) {
            Connection client = quicClient(address, listener.port()).build().initiate(new RecordingHandler());
            Await.result(client.ready());
            assertThat(client.localEndpoint().orElseThrow().ipAddress().orElseThrow())
                    .isEqualTo(listener.localAddresses().get(0).getAddress());
            client.close();
            Await.result(client.closed());
        }
    }

    /** One 0-RTT round: sends a safelyReplayable message, checks the echo, closes; whether it went early. */
    static boolean echoedEarly(Preconnection preconnection, String text) {
        Connection connection = preconnection.initiateWithSend(replayable(text), new RecordingHandler());
        assertThat(new String(receiveExactly(connection, text.length()), StandardCharsets.UTF_8)).isEqualTo(text);
        boolean early = carriedEarlyData(connection);
        connection.close();
        Await.result(connection.closed());
        return early;
    }

    @org.junit.jupiter.api.Test
    void aQuicListenerThatDidNotOptInToZeroRttGetsNoEarlyDataButEveryMessage() {
        // RFC 9622 §6.2.5: 0-RTT data may be replayed, so a Listener accepts it only when its
        // zeroRttMsg asks for it; otherwise its session tickets allow none and clients wait.
        SecurityParameters params = client().toBuilder().cachedSessionLifetime(java.time.Duration.ofSeconds(303))
                .build();
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        try (Listener listener = quicListener(connection -> {
            received.incrementAndGet();
            Echo.serve(connection);
        })) {
            Preconnection preconnection = quicClient("127.0.0.1", listener.port()).security(params).build();
            assertThat(echoedEarly(preconnection, "first")).isFalse();
            Connection resumed = preconnection.initiateWithSend(replayable("resumed"), new RecordingHandler());
            assertThat(new String(receiveExactly(resumed, 7), StandardCharsets.UTF_8)).isEqualTo("resumed");
            assertThat(carriedEarlyData(resumed)).isFalse();
            // The session was resumed, so a 0-RTT-capable ticket would have let the message go early.
            assertThat(resumed.securityOutcome().orElseThrow().resumed()).isTrue();
            assertThat(resumed.establishmentReport().attempts()).singleElement()
                    .satisfies(attempt -> assertThat(attempt.earlyData()).isFalse());
            resumed.close();
            Await.result(resumed.closed());
            assertThat(received).hasValue(2);
        }
    }

    @org.junit.jupiter.api.Test
    void isolateSessionNeitherResumesFromNorFeedsTheSharedQuicSessionCache_CP10() {
        // Parameters of their own: a fresh shared context, so a fresh shared QUIC session cache.
        SecurityParameters params = client().toBuilder().cachedSessionLifetime(java.time.Duration.ofSeconds(302))
                .build();
        try (Listener listener = zeroRttQuicListener(Echo::serve)) {
            Preconnection shared = quicClient("127.0.0.1", listener.port()).security(params).build();
            Preconnection isolated = quicClient("127.0.0.1", listener.port()).security(params)
                    .properties(quicOnly().toBuilder().isolateSession(true).build()).build();
            // The isolated Connection's session ticket stays in its own scope ...
            assertThat(echoedEarly(isolated, "isolated first")).isFalse();
            assertThat(echoedEarly(shared, "shared first")).as("no ticket leaked out of the isolated scope").isFalse();
            // ... the shared scope resumes with its own ticket ...
            assertThat(echoedEarly(shared, "shared again")).isTrue();
            // ... and an isolated Connection never resumes from the shared cache.
            assertThat(echoedEarly(isolated, "isolated again")).as("no 0-RTT from the shared ticket").isFalse();
        }
    }

    @org.junit.jupiter.api.Test
    void abortResetsOnlyThatStreamAndTheLastCloseEndsTheQuicConnection_Q16() {
        java.util.List<RecordingHandler> serverEvents = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Listener listener = recordingQuicEcho(serverEvents)) {
            RecordingHandler abortedEvents = new RecordingHandler();
            Connection aborted = quicClient("127.0.0.1", listener.port()).build().initiate(abortedEvents);
            Await.result(aborted.ready());
            io.taps.internal.quic.QuicSession session = io.taps.internal.quic.QuicSession.of(aborted).orElseThrow();
            Connection sibling = session.openStream(new RecordingHandler());
            Await.result(sibling.ready());
            aborted.send(Message.of("one"));
            sibling.send(Message.of("two"));
            assertThat(new String(receiveExactly(aborted, 3), StandardCharsets.UTF_8)).isEqualTo("one");
            assertThat(new String(receiveExactly(sibling, 3), StandardCharsets.UTF_8)).isEqualTo("two");

            aborted.abort();
            Await.failure(aborted.closed());
            assertThat(abortedEvents.events()).last().asString().startsWith("ConnectionError:LocalAbort");
            // The peer's stream sees a reset, not an orderly close.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> serverEvents.size() == 2
                    && serverEvents.stream().anyMatch(events -> events.terminal.isDone()));
            RecordingHandler ended = serverEvents.stream().filter(events -> events.terminal.isDone()).findFirst()
                    .orElseThrow();
            assertThat(ended.events()).last().asString().startsWith("ConnectionError:ConnectionAborted");
            // The sibling stream and the QUIC connection live on.
            assertThat(session.channel().isActive()).isTrue();
            sibling.send(Message.of("still here"));
            assertThat(new String(receiveExactly(sibling, 10), StandardCharsets.UTF_8)).isEqualTo("still here");
            assertThat(serverEvents.stream().filter(events -> events.terminal.isDone())).hasSize(1);

            sibling.close();
            Await.result(sibling.closed());
            // The last stream Connection is gone: the client closes the QUIC connection.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> !session.channel().isActive());
        }
    }
}

package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.Preconnection;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.ConnectionProperties;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.DnsFixture;
import io.taps.testing.IsolatedResolutionTestSupport;
import io.taps.testing.LoopbackPorts;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Establishment failures and configuration errors (RFC 9622 §7.1, §6; RFC 9623 App. C): what is
 * detectable at once is thrown (E-22), everything else arrives as EstablishmentError (E-02) with
 * the reason of ERR-01..ERR-12. Names resolve only against {@link DnsFixture}, never the machine's
 * resolver, and a temporary hosts file keeps the system's hosts file out.
 */
class EstablishmentErrorsTest extends IsolatedResolutionTestSupport {
    @BeforeAll
    static void records() {
        dns.a("loopback.taps.test", "127.0.0.1").aaaa("loopback.taps.test");
    }

    static ErrorReason thrownReason(ThrowingCallable call) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(thrown).isInstanceOf(TransportServicesException.class);
        return ((TransportServicesException) thrown).reason();
    }

    static Listener tcpListener(List<Connection> accepted) {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(connection -> {
                    accepted.add(connection);
                    Echo.serve(connection);
                });
        Await.result(listener.ready());
        return listener;
    }

    // ------------------------------------------------------------ missing endpoints (O-02, ERR-01)

    @Test
    void initiateWithoutRemoteEndpointThrowsInvalidConfiguration_O02_ERR01() {
        Preconnection pre = taps.preconnection().security(SecurityParameters.disabled()).build();
        assertThat(thrownReason(pre::initiate)).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
        assertThat(thrownReason(() -> pre.initiate(new RecordingHandler())))
                .isEqualTo(ErrorReason.INVALID_CONFIGURATION);
    }

    @Test
    void listenWithoutLocalEndpointThrowsInvalidConfiguration_O02_ERR01() {
        Preconnection pre = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", 9)).build();
        assertThat(thrownReason(() -> pre.listen(connection -> { }))).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
    }

    // ------------------------------------------------------------ resolution (E-02, ERR-03)

    @Test
    void unresolvableHostNameFailsWithResolutionFailed_E02_ERR03() {
        RecordingHandler events = new RecordingHandler();
        Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost("nxdomain.taps.test", 443)).build()
                .initiate(events);
        Throwable failure = Await.failure(client.ready());
        assertThat(failure).isInstanceOf(TransportServicesException.class);
        assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.RESOLUTION_FAILED);
        Await.result(events.terminal);
        assertThat(events.events()).containsExactly("EstablishmentError:ResolutionFailed");
        assertThat(events.errors()).singleElement().extracting(TransportServicesException::reason)
                .isEqualTo(ErrorReason.RESOLUTION_FAILED);
        assertThat(dns.queryCount("nxdomain.taps.test")).as("the fixture was asked").isPositive();
        Await.failure(client.closed());
    }

    @Test
    void hostNameResolvedByTheFixtureConnectsToATapsListener_E01() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = tcpListener(accepted)) {
            RecordingHandler events = new RecordingHandler();
            Connection client = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofHost("loopback.taps.test", listener.port())).build().initiate(events);
            Await.result(client.ready());
            assertThat(client.remoteEndpoint().orElseThrow().ipAddress())
                    .contains(InetAddress.getLoopbackAddress());
            Await.result(client.send("resolved"));
            assertThat(Await.result(client.receive()).asString()).isEqualTo("resolved");
            assertThat(accepted).hasSize(1);
            assertThat(dns.queryCount("loopback.taps.test")).isPositive();
            client.close();
            Await.result(client.closed());
            assertThat(events.events()).startsWith("Ready");
        }
    }

    @Test
    void completionStagesCompleteEvenWhenEventHandlersThrow_E22() {
        io.taps.ConnectionEventHandler throwing = new io.taps.ConnectionEventHandler() {
            @Override
            public void ready(Connection connection) {
                throw new IllegalStateException("application bug in ready");
            }

            @Override
            public void establishmentError(Connection connection, TransportServicesException error) {
                throw new IllegalStateException("application bug in establishmentError");
            }

            @Override
            public void sent(Connection connection, io.taps.MessageContext context) {
                throw new IllegalStateException("application bug in sent");
            }

            @Override
            public void receivedPartial(Connection connection, io.taps.Message message) {
                throw new IllegalStateException("application bug in receivedPartial");
            }

            @Override
            public void closed(Connection connection) {
                throw new IllegalStateException("application bug in closed");
            }
        };
        Connection unresolved = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost("nxdomain.taps.test", 443))
                .build().initiate(throwing);
        assertThat(((TransportServicesException) Await.failure(unresolved.ready())).reason())
                .isEqualTo(ErrorReason.RESOLUTION_FAILED);
        Await.failure(unresolved.closed());

        try (Listener listener = tcpListener(new CopyOnWriteArrayList<>())) {
            Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .build().initiate(throwing);
            Await.result(client.ready());
            Await.result(client.send("x"));
            assertThat(Await.result(client.receive()).asString()).isEqualTo("x");
            client.close();
            Await.result(client.closed());
        }
    }

    // ------------------------------------------------------------ connection refused (ERR-04)

    @Test
    void refusedConnectionFailsWithEstablishmentFailedNamingTheAddress_E02_ERR04() throws Exception {
        int port = LoopbackPorts.unused();
        RecordingHandler events = new RecordingHandler();
        Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", port)).build()
                .initiate(events);
        TransportServicesException failure = (TransportServicesException) Await.failure(client.ready());
        assertThat(failure.reason()).isEqualTo(ErrorReason.ESTABLISHMENT_FAILED);
        assertThat(failure.causes()).isNotEmpty();
        assertThat(failure.causes()).anySatisfy(cause ->
                assertThat(cause.toString()).contains("127.0.0.1").contains(String.valueOf(port)));
        Await.result(events.terminal);
        assertThat(events.events()).containsExactly("EstablishmentError:EstablishmentFailed");
    }

    /**
     * Each refused attempt's failure names and types the transport's exception and keeps it (with
     * its stack) as its cause, without a stack trace of its own: filling one per refused candidate
     * was a stack walk per leaf on the event loop (figure 13). The EstablishmentError the
     * application gets keeps its own stack trace.
     */
    @Test
    void eachAttemptsFailureKeepsTheTransportsExceptionAndNoStackOfItsOwn() throws Exception {
        int first = LoopbackPorts.unused();
        int second = LoopbackPorts.unused();
        Connection client = taps.preconnection().security(SecurityParameters.disabled())
                .remotes(List.of(RemoteEndpoint.ofAddress("127.0.0.1", first), RemoteEndpoint.ofAddress("127.0.0.1", second)))
                .build().initiate(new RecordingHandler());
        TransportServicesException failure = (TransportServicesException) Await.failure(client.ready());
        assertThat(failure.getStackTrace()).isNotEmpty();
        assertThat(failure.causes()).hasSize(2).allSatisfy(cause -> {
            assertThat(cause).isInstanceOf(TransportServicesException.class);
            assertThat(((TransportServicesException) cause).reason()).isEqualTo(ErrorReason.ESTABLISHMENT_FAILED);
            assertThat(cause.getStackTrace()).isEmpty();
            assertThat(cause.getCause()).isInstanceOf(java.net.ConnectException.class);
            assertThat(org.assertj.core.util.Throwables.getRootCause(cause).getStackTrace())
                    .as("the transport's stack, kept").isNotEmpty();
        });
        assertThat(failure.causes()).anySatisfy(cause -> assertThat(cause.getMessage()).contains(String.valueOf(first)))
                .anySatisfy(cause -> assertThat(cause.getMessage()).contains(String.valueOf(second)));
    }

    // ------------------------------------------------------------ timeout (A-09, ERR-12)

    @Test
    void initiateTimeoutAgainstAServerThatNeverAnswersTheTlsHandshake_A09_ERR12() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            silent.setSoTimeout(30_000);
            CompletableFuture<Socket> accepted = new CompletableFuture<>();
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.complete(silent.accept()); // accepts, reads nothing, answers nothing
                } catch (java.io.IOException e) {
                    accepted.completeExceptionally(e);
                }
            }, "silent-tls-server");
            acceptor.start();
            RecordingHandler events = new RecordingHandler();
            // 2 s, not less: the timeout counts from Initiate, and on a loaded machine the first TLS
            // Initiate of a JVM once spent more than 300 ms before its TCP connect (no TCP part, so
            // the accept below timed out).
            Duration timeout = Duration.ofSeconds(2);
            long started = System.nanoTime();
            Connection client = taps.preconnection()
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", silent.getLocalPort()))
                    .security(SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate()).build())
                    .build().initiate(timeout, events);
            TransportServicesException failure = (TransportServicesException) Await.failure(client.ready());
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(failure.reason()).as("%s, causes %s", failure, failure.causes())
                    .isEqualTo(ErrorReason.TIMEOUT);
            assertThat(took).isGreaterThanOrEqualTo(timeout.minusMillis(50)).isLessThan(timeout.plusSeconds(20));
            Await.result(events.terminal);
            assertThat(events.events()).containsExactly("EstablishmentError:Timeout");
            try (Socket peer = Await.result(accepted)) {
                assertThat(peer.isConnected()).as("the TCP part did connect; TLS never finished").isTrue();
            }
        }
    }

    // ------------------------------------------------------------ NoCandidates (SEL-04, ERR-02)

    @Test
    void messageBoundariesOnReliableTransportWithoutFramerIsNoCandidatesBeforeAnyPacket_SEL04_ERR02()
            throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Preconnection pre = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort()))
                    .properties(TransportProperties.builder().reliability(Preference.REQUIRE)
                            .preserveMsgBoundaries(Preference.REQUIRE).build())
                    .build();
            assertThat(thrownReason(pre::initiate)).isEqualTo(ErrorReason.NO_CANDIDATES);
            // Nothing was sent: the server's backlog stays empty (the kernel would have completed
            // the handshake of any SYN, so a connect attempt would be accepted here).
            server.setSoTimeout(300);
            assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void requiredSecurityWithReliabilityProhibitedSelectsDtlsNeverCleartextUdp_SEL04_C08() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            Preconnection pre = taps.preconnection()
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", peer.getLocalPort()))
                    // unreliableDatagram would pick UDP without security; TLS needs reliability, so
                    // DTLS/UDP is the only candidate (issue 18), never cleartext UDP.
                    .properties(TransportProperties.unreliableDatagram().toBuilder()
                            .reliability(Preference.PROHIBIT).build())
                    .security(SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate()).build())
                    .build();
            io.taps.Connection connection = pre.initiateWithSend(io.taps.Message.of("secret"), new RecordingHandler());
            peer.setSoTimeout(5000);
            DatagramPacket first = new DatagramPacket(new byte[2048], 2048);
            peer.receive(first);
            assertThat(first.getData()[0]).as("a DTLS handshake record, not the cleartext Message").isEqualTo((byte) 22);
            assertThat(new String(first.getData(), 0, first.getLength(), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .doesNotContain("secret");
            assertThat(connection.establishmentReport().attempts())
                    .allSatisfy(attempt -> assertThat(attempt.candidate().stack()).isEqualTo("DTLS/UDP"));
            connection.abort();
        }
    }

    @Test
    void perMsgReliabilityRequiredWithReliabilityProhibitedIsInvalidConfiguration_SEL04_ERR01() {
        Preconnection pre = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", 9))
                .properties(TransportProperties.unreliableDatagram().toBuilder()
                        .reliability(Preference.PROHIBIT).perMsgReliability(Preference.REQUIRE).build())
                .build();
        assertThat(thrownReason(pre::initiate)).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
    }

    // ------------------------------------------------------------ endpoint and property validation

    @Test
    void badPortOrHostNameInRemoteEndpointIsInvalidConfigurationAtBuild_O02_ERR01() {
        assertThat(thrownReason(() -> RemoteEndpoint.ofAddress("127.0.0.1", 65_536)))
                .isEqualTo(ErrorReason.INVALID_CONFIGURATION);
        assertThat(thrownReason(() -> RemoteEndpoint.ofHost("example.test", -1)))
                .isEqualTo(ErrorReason.INVALID_CONFIGURATION);
        assertThat(thrownReason(() -> RemoteEndpoint.builder().withHostName("bad host!").withPort(80).build()))
                .isEqualTo(ErrorReason.INVALID_CONFIGURATION);
        assertThat(thrownReason(() -> RemoteEndpoint.ofHost("", 80))).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
        assertThat(thrownReason(() -> RemoteEndpoint.ofHost("a..b", 80))).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
        assertThat(dns.queryCount("bad host!")).as("validation never asks DNS").isZero();
    }

    @Test
    void unknownPropertyOrWrongValueTypeOnSetPropertyIsInvalidProperty_O03() {
        Preconnection pre = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", 9)).build();
        TransportProperties before = pre.transportProperties();
        assertThat(thrownReason(() -> pre.setProperty("reliabilty-typo-xyz", "require")))
                .isEqualTo(ErrorReason.INVALID_PROPERTY);
        assertThat(thrownReason(() -> pre.setProperty("reliability", 42))).isEqualTo(ErrorReason.INVALID_PROPERTY);
        assertThat(thrownReason(() -> pre.setProperty("connPriority", "high")))
                .isEqualTo(ErrorReason.INVALID_PROPERTY);
        assertThat(pre.transportProperties()).as("a rejected set changes nothing").isEqualTo(before);
    }

    // ------------------------------------------------------------ deep copy (O-01)

    @Test
    void preconnectionChangesAfterInitiateDoNotAffectTheConnection_O01() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = tcpListener(accepted);
                Listener other = tcpListener(new CopyOnWriteArrayList<>())) {
            RemoteEndpoint original = RemoteEndpoint.ofAddress("127.0.0.1", listener.port());
            Preconnection pre = taps.preconnection().security(SecurityParameters.disabled()).remote(original)
                    .properties(TransportProperties.builder().connPriority(7)
                            .connTimeout(Duration.ofSeconds(9)).build())
                    .build();
            Connection client = pre.initiate();
            // Mutated at once, while the Connection is still establishing.
            pre.setProperty("connPriority", 1);
            pre.setTransportProperties(TransportProperties.builder().connPriority(2)
                    .connTimeout(Duration.ofSeconds(1)).build());
            pre.addRemote(RemoteEndpoint.ofAddress("127.0.0.1", other.port()));
            Await.result(client.ready());
            ConnectionProperties first = client.getProperties();
            assertThat(first.get(Property.CONN_PRIORITY)).isEqualTo(7);
            assertThat(first.get(Property.CONN_TIMEOUT)).isEqualTo(Timeout.of(Duration.ofSeconds(9)));

            pre.setProperty("connPriority", 3);
            pre.setProperty("keepAlive", "require");
            pre.setTransportProperties(TransportProperties.unreliableDatagram());
            pre.addRemote(RemoteEndpoint.ofAddress("127.0.0.1", other.port()));
            ConnectionProperties second = client.getProperties();
            assertThat(second.asMap()).isEqualTo(first.asMap());
            assertThat(client.remoteEndpoint().orElseThrow().port()).hasValue(listener.port());
            // The server side learns of the connection on its own event loop, possibly a moment later.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> accepted.size() == 1);
            // The Preconnection itself did change and is reusable with its new contents.
            assertThat(pre.remoteEndpoints()).hasSize(3);
            client.abort();
        }
    }

    /**
     * The snapshot (and the stack selection made from it) is reused while the Preconnection is
     * unchanged; every setter ends that reuse, so the next Initiate sees the change.
     */
    @Test
    void everyChangeReachesTheNextInitiate() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = tcpListener(accepted)) {
            Preconnection pre = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .build();
            Connection first = pre.initiate();
            Connection second = pre.initiate();
            Await.result(first.ready());
            Await.result(second.ready());
            assertThat(second.protocolStack()).contains("TCP");
            // No stack both preserves boundaries and is reliable without a framer: NoCandidates now.
            pre.setProperty("preserveMsgBoundaries", "require");
            assertThat(thrownReason(pre::initiate)).isEqualTo(ErrorReason.NO_CANDIDATES);
            pre.addFramer(io.taps.framer.lengthprefix.LengthPrefixFramer.factory(4));
            Connection framed = pre.initiate();
            Await.result(framed.ready());
            assertThat(framed.protocolStack()).as("the framer makes TCP eligible again").contains("TCP");
            framed.abort();
            first.abort();
            second.abort();
        }
    }

    @Test
    void preconnectionChangesAfterListenDoNotAffectTheListenerOrItsConnections_O01() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Preconnection pre = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.builder().connPriority(7).build()).build();
        try (Listener listener = pre.listen(connection -> {
            accepted.add(connection);
            Echo.serve(connection);
        })) {
            Await.result(listener.ready());
            pre.setProperty("connPriority", 1);
            pre.setTransportProperties(TransportProperties.unreliableDatagram().toBuilder().connPriority(2).build());
            pre.setSecurityParameters(SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate()).build());
            pre.addLocal(LocalEndpoint.ofAddress("::1", 0));
            Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .build().initiate();
            Await.result(client.ready());
            Await.result(client.send("plain tcp still"));
            assertThat(Await.result(client.receive()).asString()).isEqualTo("plain tcp still");
            assertThat(listener.protocolStack()).isEqualTo("TCP");
            assertThat(listener.localAddresses()).hasSize(1);
            assertThat(accepted).singleElement().satisfies(passive -> {
                assertThat(passive.getProperties().get(Property.CONN_PRIORITY)).isEqualTo(7);
                assertThat(passive.protocolStack()).contains("TCP");
            });
            client.abort();
        }
    }
}

package io.taps.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.interop.TlsListenerAlpnInteropTest.ListenerEvents;
import io.taps.internal.security.TlsProvider;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.ClientAuthentication;
import io.taps.security.Identity;
import io.taps.security.SecurityOutcome;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The security outcome of a Connection (RFC 9622 §6.3, §8; issue 15 item 14): negotiated version,
 * cipher suite, ALPN, the peer's chain (the mTLS client's identity on the Listener's side) and
 * resumption, on both TLS providers and on QUIC; Listeners report the inbound handshakes they
 * reject; trust anchors load from PEM; QUIC handshake failures keep their reason; and an untrusted
 * client certificate is answered with {@code unknown_ca}, as OpenSSL's {@code s_client} sees it.
 */
class SecurityOutcomeInteropTest {
    static final Identity SERVER = Identity.of(TestPki.SERVER.getKeyPair().getPrivate(),
            TestPki.SERVER.getCertificatePath());
    static final Identity CLIENT = Identity.of(TestPki.CLIENT.getKeyPair().getPrivate(),
            TestPki.CLIENT.getCertificatePath());
    /** Client parameters of their own per test, so that no other test's cached session resumes. */
    static final AtomicLong LIFETIME = new AtomicLong(3600);
    static TransportServices taps;
    static X509Bundle foreignClient;

    @BeforeAll
    static void start() throws Exception {
        taps = TransportServices.builder().eventLoopThreads(2).build();
        Instant now = Instant.now();
        foreignClient = new CertificateBuilder().notBefore(now.minus(1, ChronoUnit.DAYS))
                .notAfter(now.plus(1, ChronoUnit.DAYS)).ecp256().subject("CN=foreign client")
                .addExtendedKeyUsageClientAuth().buildIssuedBy(TestPki.OTHER_ROOT);
    }

    @AfterAll
    static void stop() {
        taps.close();
    }

    @AfterEach
    void providerBackToDefault() {
        System.clearProperty(TlsProvider.PROPERTY);
    }

    static SecurityParameters.Builder serverSecurity() {
        return SecurityParameters.builder().identity(SERVER).alpn("taps/1");
    }

    static SecurityParameters.Builder clientSecurity() {
        return SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate()).alpn("taps/1")
                .cachedSessionLifetime(Duration.ofSeconds(LIFETIME.incrementAndGet()));
    }

    /** A Listener that answers each Connection's first Message with the same bytes. */
    static Listener echo(SecurityParameters security, TransportProperties properties, ListenerEvents events) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).properties(properties)
                .security(security).build().listen(new ListenerEvents() {
                    @Override
                    public void connectionReceived(Connection connection) {
                        events.connectionReceived(connection);
                        connection.receive().thenCompose(m -> connection.send(m.bytes()));
                    }

                    @Override
                    public void connectionRejected(Listener l, java.net.InetSocketAddress remote,
                            TransportServicesException reason) {
                        events.connectionRejected(l, remote, reason);
                    }
                });
        Await.result(listener.ready());
        return listener;
    }

    /** Connects, exchanges one Message (so TLS 1.3 tickets arrive), and returns the open Connection. */
    static Connection exchange(int port, SecurityParameters security, TransportProperties properties) {
        Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                .properties(properties).security(security).build().initiate();
        Await.result(client.ready());
        Await.result(client.send("outcome"));
        assertThat(Await.result(client.receive()).asString()).isEqualTo("outcome");
        return client;
    }

    static Stream<Arguments> providersAndVersions() {
        return Stream.of("openssl", "jdk").flatMap(p -> Stream.of(Arguments.of(p, TlsVersion.TLS_1_3),
                Arguments.of(p, TlsVersion.TLS_1_2)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("providersAndVersions")
    void mutualTlsOutcomeOnBothSidesAndResumptionOnTheSecondConnection(String provider, TlsVersion version) {
        System.setProperty(TlsProvider.PROPERTY, provider);
        ListenerEvents events = new ListenerEvents();
        SecurityParameters server = serverSecurity().allowedProtocols(version)
                .clientAuthentication(ClientAuthentication.REQUIRE).trustAnchors(TestPki.ROOT.getCertificate()).build();
        SecurityParameters client = clientSecurity().allowedProtocols(version).identity(CLIENT).build();
        try (Listener listener = echo(server, TransportProperties.defaults(), events)) {
            Connection first = exchange(listener.port(), client, TransportProperties.defaults());
            SecurityOutcome seen = first.securityOutcome().orElseThrow();
            assertThat(seen.protocolVersion()).isEqualTo(version.protocolName());
            assertThat(seen.tlsVersion()).contains(version);
            assertThat(seen.cipherSuite()).isNotBlank().doesNotStartWith("SSL_NULL");
            assertThat(seen.applicationProtocol()).contains("taps/1");
            assertThat(seen.peerCertificate()).contains(TestPki.SERVER.getCertificate());
            assertThat(seen.localCertificates()).first().isEqualTo(TestPki.CLIENT.getCertificate());
            assertThat(seen.resumed()).isFalse();

            SecurityOutcome accepted = Await.result(events.firstReceived).securityOutcome().orElseThrow();
            assertThat(accepted.peerCertificate()).as("the mTLS client's identity")
                    .contains(TestPki.CLIENT.getCertificate());
            assertThat(accepted.protocolVersion()).isEqualTo(version.protocolName());
            assertThat(accepted.cipherSuite()).isEqualTo(seen.cipherSuite());
            assertThat(accepted.applicationProtocol()).contains("taps/1");
            assertThat(accepted.resumed()).isFalse();
            first.close();
            Await.result(first.closed());
            assertThat(first.securityOutcome()).as("still readable after Closed").contains(seen);
        }
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("providersAndVersions")
    void theSecondHandshakeResumesAndBothSidesSaySo(String provider, TlsVersion version) {
        System.setProperty(TlsProvider.PROPERTY, provider);
        ListenerEvents events = new ListenerEvents();
        SecurityParameters client = clientSecurity().allowedProtocols(version).build();
        try (Listener listener = echo(serverSecurity().allowedProtocols(version).build(), TransportProperties.defaults(),
                events)) {
            // TLS/TCP only: a session resumes only on the stack that made it (see the mTLS test below).
            Connection first = exchange(listener.port(), client, tlsOverTcpOnly());
            assertThat(first.securityOutcome().orElseThrow().resumed()).isFalse();
            first.close();
            Await.result(first.closed());
            Connection second = exchange(listener.port(), client, tlsOverTcpOnly());
            assertThat(second.securityOutcome().orElseThrow().resumed()).as("second handshake resumed").isTrue();
            assertThat(events.received.get(1).securityOutcome().orElseThrow().resumed()).isTrue();
            assertThat(events.received.get(0).securityOutcome().orElseThrow().resumed()).isFalse();
            second.close();
            Await.result(second.closed());
        }
    }

    /**
     * Resumption under client authentication, on both providers and versions: the second handshake
     * resumes and the resumed session still names the client. (BoringSSL resumes under client
     * authentication only with a session id context; Netty's server context sets one.) The client
     * runs on TLS/TCP only: a TLS session resumes only on the stack that made it, and a race that
     * QUIC wins the second time (it does, now and then, under load) has no session to resume.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("providersAndVersions")
    void mutualTlsSecondHandshakeResumesWithTheClientsIdentity(String provider, TlsVersion version) {
        System.setProperty(TlsProvider.PROPERTY, provider);
        ListenerEvents events = new ListenerEvents();
        SecurityParameters server = serverSecurity().allowedProtocols(version)
                .clientAuthentication(ClientAuthentication.REQUIRE).trustAnchors(TestPki.ROOT.getCertificate()).build();
        SecurityParameters client = clientSecurity().allowedProtocols(version).identity(CLIENT).build();
        try (Listener listener = echo(server, TransportProperties.defaults(), events)) {
            Connection first = exchange(listener.port(), client, tlsOverTcpOnly());
            assertThat(first.securityOutcome().orElseThrow().resumed()).isFalse();
            first.close();
            Await.result(first.closed());
            Connection second = exchange(listener.port(), client, tlsOverTcpOnly());
            assertThat(second.protocolStack()).contains("TLS/TCP");
            assertThat(second.securityOutcome().orElseThrow().resumed()).as("second mTLS handshake resumed").isTrue();
            SecurityOutcome accepted = events.received.get(1).securityOutcome().orElseThrow();
            assertThat(accepted.resumed()).isTrue();
            assertThat(accepted.peerCertificate()).as("the resumed session still names the mTLS client")
                    .contains(TestPki.CLIENT.getCertificate());
            second.close();
            Await.result(second.closed());
        }
    }

    @Test
    void cleartextConnectionsHaveNoOutcome() {
        ListenerEvents events = new ListenerEvents();
        try (Listener listener = echo(SecurityParameters.disabled(), TransportProperties.defaults(), events)) {
            Connection client = exchange(listener.port(), SecurityParameters.disabled(), TransportProperties.defaults());
            assertThat(client.securityOutcome()).isEmpty();
            assertThat(Await.result(events.firstReceived).securityOutcome()).isEmpty();
            client.close();
        }
    }

    /** Keeps QUIC out of the race (it is a multistreaming stack). */
    static TransportProperties tlsOverTcpOnly() {
        return TransportProperties.builder().prohibit(Property.MULTISTREAMING).build();
    }

    static TransportProperties quicOnly() {
        return TransportProperties.builder().require(Property.MULTISTREAMING).build();
    }

    @Test
    void quicReportsTls13TheClientIdentityAndResumption() {
        ListenerEvents events = new ListenerEvents();
        SecurityParameters server = serverSecurity().allowedProtocols(TlsVersion.TLS_1_3)
                .clientAuthentication(ClientAuthentication.REQUIRE).trustAnchors(TestPki.ROOT.getCertificate()).build();
        SecurityParameters client = clientSecurity().allowedProtocols(TlsVersion.TLS_1_3).identity(CLIENT).build();
        try (Listener listener = echo(server, quicOnly(), events)) {
            assertThat(listener.protocolStack()).isEqualTo("QUIC");
            Connection first = exchange(listener.port(), client, quicOnly());
            SecurityOutcome seen = first.securityOutcome().orElseThrow();
            assertThat(seen.protocolVersion()).isEqualTo("TLSv1.3");
            assertThat(seen.cipherSuite()).startsWith("TLS_");
            assertThat(seen.applicationProtocol()).contains("taps/1");
            assertThat(seen.peerCertificate()).contains(TestPki.SERVER.getCertificate());
            assertThat(seen.resumed()).isFalse();
            SecurityOutcome accepted = Await.result(events.firstReceived).securityOutcome().orElseThrow();
            assertThat(accepted.peerCertificate()).contains(TestPki.CLIENT.getCertificate());
            first.close();
            Await.result(first.closed());

            Connection second = exchange(listener.port(), client, quicOnly());
            assertThat(second.securityOutcome().orElseThrow().resumed()).as("QUIC resumed the session").isTrue();
            second.close();
        }
    }

    @Test
    void quicAlpnMismatchIsSecurityFailedNamingTheAlert() {
        ListenerEvents events = new ListenerEvents();
        SecurityParameters server = serverSecurity().allowedProtocols(TlsVersion.TLS_1_3).alpn("server/1").build();
        SecurityParameters client = clientSecurity().allowedProtocols(TlsVersion.TLS_1_3).alpn("client/1").build();
        try (Listener listener = echo(server, quicOnly(), events)) {
            RecordingHandler clientEvents = new RecordingHandler();
            Connection connection = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(quicOnly()).security(client).build().initiate(clientEvents);
            TransportServicesException failure = (TransportServicesException) Await.failure(connection.ready());
            assertThat(failure.reason()).isEqualTo(ErrorReason.SECURITY_FAILED);
            assertThat(failure.getMessage()).contains("ALPN mismatch").contains("no_application_protocol");
            assertThat(events.received).isEmpty();
        }
    }

    @ParameterizedTest(name = "provider {0}")
    @ValueSource(strings = {"openssl", "jdk"})
    void listenerReportsMissingAndUntrustedClientCertificates(String provider) {
        System.setProperty(TlsProvider.PROPERTY, provider);
        SecurityParameters server = serverSecurity().clientAuthentication(ClientAuthentication.REQUIRE)
                .trustAnchors(TestPki.ROOT.getCertificate()).build();
        ListenerEvents missing = new ListenerEvents();
        try (Listener listener = echo(server, TransportProperties.defaults(), missing)) {
            RecordingHandler events = new RecordingHandler();
            Connection anonymous = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .security(clientSecurity().build()).build().initiate(events);
            anonymous.receive();
            TransportServicesException reason = Await.result(missing.rejected);
            assertThat(reason.reason()).isEqualTo(ErrorReason.SECURITY_FAILED);
            assertThat(reason.getMessage()).contains("certificate required");
            Await.result(events.terminal);
            assertThat(missing.received).isEmpty();
        }
        ListenerEvents untrusted = new ListenerEvents();
        try (Listener listener = echo(server, TransportProperties.defaults(), untrusted)) {
            Identity foreign = Identity.of(foreignClient.getKeyPair().getPrivate(), foreignClient.getCertificatePath());
            RecordingHandler events = new RecordingHandler();
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .security(clientSecurity().identity(foreign).build()).build().initiate(events);
            client.receive();
            TransportServicesException reason = Await.result(untrusted.rejected);
            assertThat(reason.reason()).isEqualTo(ErrorReason.SECURITY_FAILED);
            assertThat(reason.getMessage()).contains("untrusted certificate").contains("foreign client");
            Await.result(events.terminal);
            assertThat(untrusted.received).isEmpty();
        }
    }

    @ParameterizedTest(name = "provider {0}")
    @ValueSource(strings = {"openssl", "jdk"})
    void untrustedClientCertificateIsAnsweredWithTheProvidersAlert(String provider) throws Exception {
        ExternalPeers.require("openssl", "openssl");
        System.setProperty(TlsProvider.PROPERTY, provider);
        SecurityParameters server = serverSecurity().clientAuthentication(ClientAuthentication.REQUIRE)
                .trustAnchors(TestPki.ROOT.getCertificate()).build();
        ListenerEvents events = new ListenerEvents();
        File cert = foreignClient.toTempCertChainPem();
        File key = foreignClient.toTempPrivateKeyPem();
        File root = TestPki.SERVER.toTempRootCertPem();
        try (Listener listener = echo(server, TransportProperties.defaults(), events)) {
            // TLS 1.2: the server judges the client's certificate inside the handshake, so its alert is
            // the handshake's answer (under TLS 1.3 s_client may finish first and see it only on read).
            String output = run("openssl", "s_client", "-connect", "127.0.0.1:" + listener.port(), "-CAfile",
                    root.getPath(), "-cert", cert.getPath(), "-key", key.getPath(), "-tls1_2", "-alpn", "taps/1");
            // BoringSSL gets the reason from taps' trust manager; JSSE always answers a rejected client
            // certificate with certificate_unknown, which taps cannot change.
            assertThat(output).as(output).containsIgnoringCase(provider.equals("openssl") ? "alert unknown ca"
                    : "alert certificate unknown");
            assertThat(Await.result(events.rejected).getMessage()).contains("untrusted certificate");
        } finally {
            cert.delete();
            key.delete();
            root.delete();
        }
    }

    @Test
    void trustAnchorsLoadFromPemFiles() throws Exception {
        ListenerEvents events = new ListenerEvents();
        File root = TestPki.SERVER.toTempRootCertPem();
        Path garbage = Files.createTempFile("taps-anchors", ".pem");
        try (Listener listener = echo(serverSecurity().build(), TransportProperties.defaults(), events)) {
            Files.writeString(garbage, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
            SecurityParameters fromPem = SecurityParameters.builder().trustAnchorsFromPem(root.toPath())
                    .alpn("taps/1").build();
            assertThat(fromPem.trustAnchors()).containsExactly(TestPki.ROOT.getCertificate());
            Connection client = exchange(listener.port(), fromPem, TransportProperties.defaults());
            assertThat(client.securityOutcome().orElseThrow().peerCertificate()).contains(TestPki.SERVER.getCertificate());
            client.close();

            assertThatThrownBy(() -> SecurityParameters.builder().trustAnchorsFromPem(garbage))
                    .isInstanceOfSatisfying(TransportServicesException.class,
                            e -> assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION));
            assertThatThrownBy(() -> SecurityParameters.builder().trustAnchorsFromPem(
                    new ByteArrayInputStream("no pem here".getBytes(StandardCharsets.US_ASCII))))
                    .isInstanceOfSatisfying(TransportServicesException.class,
                            e -> assertThat(e.getMessage()).contains("trust anchor PEM"));
            assertThatThrownBy(() -> SecurityParameters.builder().trustAnchorsFromPem(Path.of("/nonexistent/anchors.pem")))
                    .isInstanceOfSatisfying(TransportServicesException.class,
                            e -> assertThat(e.getMessage()).contains("/nonexistent/anchors.pem"));
        } finally {
            root.delete();
            Files.deleteIfExists(garbage);
        }
    }

    static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        byte[] out;
        try (InputStream in = process.getInputStream()) {
            out = in.readAllBytes();
        }
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}

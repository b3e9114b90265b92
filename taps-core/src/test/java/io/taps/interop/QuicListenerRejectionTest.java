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
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.ClientAuthentication;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tech.kwik.core.QuicClientConnection;

/**
 * A QUIC Listener reports the inbound handshakes it rejects to its handler
 * ({@code ListenerEventHandler.connectionRejected}, RFC 9622 §7.2; issue 15 item 14) the way a
 * TLS/TCP Listener does: a client without a certificate or with an untrusted one while the Listener
 * requires client authentication, and a client whose ALPN list has no overlap. The clients are
 * taps and Kwik (a QUIC stack that shares no code with Netty or quiche); none of them becomes a
 * Connection.
 */
@ExtendWith(KwikLogOnFailure.class)
class QuicListenerRejectionTest {
    static final String ALPN = "taps/1";
    static final Identity SERVER = Identity.of(TestPki.SERVER.getKeyPair().getPrivate(),
            TestPki.SERVER.getCertificatePath());
    static TransportServices taps;
    static X509Bundle foreignClient;
    Listener listener;
    ListenerEvents events;

    @BeforeAll
    static void start() throws Exception {
        taps = TransportServices.builder().eventLoopThreads(2).build();
        Instant now = Instant.now();
        foreignClient = new CertificateBuilder().notBefore(now.minus(1, ChronoUnit.DAYS))
                .notAfter(now.plus(1, ChronoUnit.DAYS)).ecp256().subject("CN=foreign quic client")
                .addExtendedKeyUsageClientAuth().buildIssuedBy(TestPki.OTHER_ROOT);
    }

    @AfterAll
    static void stop() {
        taps.close();
    }

    /** A QUIC Listener that requires a client certificate issued by the test root. */
    @BeforeEach
    void listen() {
        events = new ListenerEvents();
        SecurityParameters server = SecurityParameters.builder().identity(SERVER).alpn(ALPN)
                .allowedProtocols(TlsVersion.TLS_1_3).clientAuthentication(ClientAuthentication.REQUIRE)
                .trustAnchors(TestPki.ROOT.getCertificate()).build();
        listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).properties(quicOnly())
                .security(server).build().listen(events);
        Await.result(listener.ready());
        assertThat(listener.protocolStack()).isEqualTo("QUIC");
    }

    @AfterEach
    void close() {
        listener.close();
    }

    static TransportProperties quicOnly() {
        return TransportProperties.builder().require(Property.MULTISTREAMING).build();
    }

    static SecurityParameters.Builder clientSecurity() {
        return SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate()).alpn(ALPN)
                .allowedProtocols(TlsVersion.TLS_1_3);
    }

    /** A taps client; it sends once Ready so that the server sees a stream when the handshake passes. */
    Connection tapsClient(SecurityParameters security) {
        RecordingHandler clientEvents = new RecordingHandler();
        Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                .properties(quicOnly()).security(security).build().initiate(clientEvents);
        client.ready().thenAccept(ready -> ready.send("hello"));
        return client;
    }

    TransportServicesException rejection() {
        TransportServicesException reason = Await.result(events.rejected, Duration.ofSeconds(30));
        InetSocketAddress from = Await.result(events.rejectedFrom);
        assertThat(from.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(from.getPort()).isPositive();
        assertThat(reason.reason()).isEqualTo(ErrorReason.SECURITY_FAILED);
        return reason;
    }

    @Test
    void tapsClientWithoutCertificateIsReportedAsRejected() {
        tapsClient(clientSecurity().build());
        assertThat(rejection().getMessage()).contains("certificate required");
        assertThat(events.received).isEmpty();
    }

    @Test
    void tapsClientWithUntrustedCertificateIsReportedAsRejected() {
        Identity foreign = Identity.of(foreignClient.getKeyPair().getPrivate(), foreignClient.getCertificatePath());
        tapsClient(clientSecurity().identity(foreign).build());
        assertThat(rejection().getMessage()).contains("untrusted certificate").contains("foreign quic client");
        assertThat(events.received).isEmpty();
    }

    @Test
    void trustedTapsClientIsReceivedNotRejected() {
        Identity trusted = Identity.of(TestPki.CLIENT.getKeyPair().getPrivate(), TestPki.CLIENT.getCertificatePath());
        Connection client = tapsClient(clientSecurity().identity(trusted).build());
        Await.result(client.ready());
        Await.result(events.firstReceived);
        assertThat(events.rejected).isNotDone();
        client.close();
    }

    @Test
    void kwikClientWithoutCertificateIsReportedAsRejected() throws Exception {
        QuicClientConnection kwik = kwik(ALPN).build();
        try {
            startHandshake(kwik);
            assertThat(rejection().getMessage()).contains("certificate required");
            assertThat(events.received).isEmpty();
        } finally {
            kwik.close();
        }
    }

    @Test
    void kwikClientWithUntrustedCertificateIsReportedAsRejected() throws Exception {
        QuicClientConnection kwik = kwik(ALPN).clientCertificate(foreignClient.getCertificate())
                .clientCertificateKey(foreignClient.getKeyPair().getPrivate()).build();
        try {
            startHandshake(kwik);
            assertThat(rejection().getMessage()).contains("untrusted certificate").contains("foreign quic client");
            assertThat(events.received).isEmpty();
        } finally {
            kwik.close();
        }
    }

    @Test
    void kwikClientWithoutCommonAlpnIsReportedAsRejected() throws Exception {
        QuicClientConnection kwik = kwik("other/1").clientCertificate(TestPki.CLIENT.getCertificate())
                .clientCertificateKey(TestPki.CLIENT.getKeyPair().getPrivate()).build();
        try {
            assertThatThrownBy(kwik::connect).as("Kwik's handshake fails");
            assertThat(rejection().getMessage()).containsIgnoringCase("ALPN");
            assertThat(events.received).isEmpty();
        } finally {
            kwik.close();
        }
    }

    /**
     * Kwik connects and sends on a stream. Under TLS 1.3 a client finishes its side of the
     * handshake before the server judges its certificate, so Kwik may see the refusal only later;
     * what matters here is what the Listener reports. Kwik is closed only after that, so that its
     * CONNECTION_CLOSE cannot overtake the handshake on a loaded machine.
     */
    private static void startHandshake(QuicClientConnection kwik) {
        try {
            kwik.connect();
            kwik.createStream(true).getOutputStream().write(1);
        } catch (Exception refused) {
            // the server refused it: expected, whenever Kwik notices
        }
    }

    private QuicClientConnection.Builder kwik(String alpn) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("root", TestPki.ROOT.getCertificate());
        // Kwik matches the certificate against DNS names only: localhost, on IPv4 where taps listens.
        return QuicClientConnection.newBuilder()
                .logger(KwikRecentLog.forEndpoint("client")).uri(URI.create("https://localhost:" + listener.port())).preferIPv4()
                .applicationProtocol(alpn).customTrustStore(trust).connectTimeout(Duration.ofSeconds(20));
    }
}

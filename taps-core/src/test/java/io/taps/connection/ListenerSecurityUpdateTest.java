package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.interop.KwikLogOnFailure;
import io.taps.interop.KwikRecentLog;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import io.taps.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;

/**
 * Listener.updateSecurity (RFC 9622 §6.3, §7.2; issue 14 item 6): a Listener serving one
 * certificate is given a renewed one; clients that are not taps and not Netty (the JDK's SSLSocket
 * for TLS/TCP, Kwik for QUIC) see the renewed certificate on their next connection, while a
 * connection opened before keeps its certificate and keeps working. Parameters a stack refuses
 * change nothing, on any stack of the Listener.
 */
@Timeout(60)
@ExtendWith(KwikLogOnFailure.class)
class ListenerSecurityUpdateTest extends TapsTestSupport {
    private static final String ALPN = "echo/1";
    private static final int TIMEOUT_MS = 10_000;
    /** The same names as TestPki.SERVER, so only the certificate itself tells them apart. */
    private static X509Bundle renewed;

    @BeforeAll
    static void renewCertificate() throws Exception {
        Instant now = Instant.now();
        renewed = new CertificateBuilder().notBefore(now.minus(1, ChronoUnit.HOURS)).notAfter(now.plus(1, ChronoUnit.DAYS))
                .ecp256().subject("CN=localhost, O=renewed").addSanDnsName("localhost").addSanIpAddress("127.0.0.1")
                .addExtendedKeyUsageServerAuth().buildIssuedBy(TestPki.ROOT);
        assertThat(renewed.getCertificate().getSerialNumber())
                .isNotEqualTo(TestPki.SERVER.getCertificate().getSerialNumber());
    }

    private static SecurityParameters server(X509Bundle bundle) {
        return SecurityParameters.builder()
                .identity(Identity.of(bundle.getKeyPair().getPrivate(), bundle.getCertificatePath())).alpn(ALPN).build();
    }

    /** TLS 1.3 only: QUIC and TLS/TCP have identical security, so a Listener listens on both. */
    private static SecurityParameters tls13Server(X509Bundle bundle) {
        return server(bundle).toBuilder().allowedProtocols(TlsVersion.TLS_1_3).build();
    }

    private static Listener echoListener(SecurityParameters security) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).security(security)
                .build().listen(Echo::serve);
        Await.result(listener.ready());
        return listener;
    }

    @Test
    void newTlsConnectionsGetTheRenewedCertificateAndOpenOnesKeepWorking() throws Exception {
        try (Listener listener = echoListener(server(TestPki.SERVER))) {
            assertThat(listener.protocolStack()).isEqualTo("TLS/TCP");
            try (SSLSocket before = jdkClient(listener.port())) {
                assertThat(peerCertificate(before)).isEqualTo(TestPki.SERVER.getCertificate());
                assertThat(echo(before, "before the update")).isEqualTo("before the update");

                Await.result(listener.updateSecurity(server(renewed)));

                try (SSLSocket after = jdkClient(listener.port())) {
                    X509Certificate seen = peerCertificate(after);
                    assertThat(seen.getSerialNumber()).isEqualTo(renewed.getCertificate().getSerialNumber());
                    assertThat(seen.getSubjectX500Principal().getName()).contains("O=renewed");
                    assertThat(echo(after, "after the update")).isEqualTo("after the update");
                }
                // The connection accepted before the update is untouched: same session, still served.
                assertThat(peerCertificate(before)).isEqualTo(TestPki.SERVER.getCertificate());
                assertThat(echo(before, "still served")).isEqualTo("still served");
            }
        }
    }

    @Test
    void parametersTheListenerCannotUseFailTypedAndTheOldCertificateStays() throws Exception {
        try (Listener listener = echoListener(server(TestPki.SERVER))) {
            TransportServicesException noIdentity = (TransportServicesException) Await.failure(
                    listener.updateSecurity(SecurityParameters.builder().alpn(ALPN).build()));
            assertThat(noIdentity.reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
            assertThat(noIdentity.getMessage()).contains("TLS/TCP").contains("identity");

            TransportServicesException cleartext = (TransportServicesException) Await.failure(
                    listener.updateSecurity(SecurityParameters.disabled()));
            assertThat(cleartext.reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
            assertThat(cleartext.getMessage()).contains("security level");

            TransportServicesException versions = (TransportServicesException) Await.failure(
                    listener.updateSecurity(tls13Server(renewed)));
            assertThat(versions.reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
            assertThat(versions.getMessage()).contains("TLS versions");

            try (SSLSocket client = jdkClient(listener.port())) {
                assertThat(peerCertificate(client)).isEqualTo(TestPki.SERVER.getCertificate());
                assertThat(echo(client, "old certificate")).isEqualTo("old certificate");
            }
        }
    }

    @Test
    void anUpdateBeforeTheListenerIsReadyAppliesOnceItIs() throws Exception {
        try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(server(TestPki.SERVER)).build().listen(Echo::serve)) {
            Await.result(listener.updateSecurity(server(renewed)));
            try (SSLSocket client = jdkClient(listener.port())) {
                assertThat(peerCertificate(client)).isEqualTo(renewed.getCertificate());
            }
        }
    }

    @Test
    void aStoppedListenerRefusesAnUpdate() {
        Listener listener = echoListener(server(TestPki.SERVER));
        Await.result(listener.stop());
        TransportServicesException stopped = (TransportServicesException) Await.failure(
                listener.updateSecurity(server(renewed)));
        assertThat(stopped.reason()).isEqualTo(ErrorReason.LISTEN_FAILED);
    }

    /**
     * A Listener on QUIC and TLS/TCP: both stacks take the renewed certificate for new connections;
     * a QUIC connection opened before keeps its handshake, and a new stream of it (a new Connection
     * of its group) still works on it.
     */
    @Test
    void quicAndTlsTcpOfOneListenerBothRenewAndAnOpenQuicConnectionKeepsItsCertificate() throws Exception {
        try (Listener listener = echoListener(tls13Server(TestPki.SERVER))) {
            assertThat(listener.protocolStack()).isEqualTo("QUIC + TLS/TCP");
            QuicClientConnection before = kwikClient(listener.port());
            try {
                assertThat(before.getServerCertificateChain().get(0)).isEqualTo(TestPki.SERVER.getCertificate());
                assertThat(echo(before.createStream(true), "quic before")).isEqualTo("quic before");

                Await.result(listener.updateSecurity(tls13Server(renewed)));

                QuicClientConnection after = kwikClient(listener.port());
                try {
                    assertThat(after.getServerCertificateChain().get(0)).isEqualTo(renewed.getCertificate());
                    assertThat(echo(after.createStream(true), "quic after")).isEqualTo("quic after");
                } finally {
                    after.close();
                }
                try (SSLSocket tls = jdkClient(listener.port())) {
                    assertThat(peerCertificate(tls)).isEqualTo(renewed.getCertificate());
                }
                assertThat(before.getServerCertificateChain().get(0)).isEqualTo(TestPki.SERVER.getCertificate());
                assertThat(echo(before.createStream(true), "new stream, old handshake"))
                        .isEqualTo("new stream, old handshake");
            } finally {
                before.close();
            }
        }
    }

    /**
     * Parameters without ALPN suit TLS/TCP but not QUIC (RFC 9001 §8.1): the update fails naming
     * QUIC, and TLS/TCP, which could have taken them and is asked first (multistreaming avoided ranks
     * it first), keeps the old certificate too.
     */
    @Test
    void anUpdateOneStackRefusesReachesNoStack() throws Exception {
        try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.builder().avoid(Property.MULTISTREAMING).build())
                .security(tls13Server(TestPki.SERVER)).build().listen(Echo::serve)) {
            Await.result(listener.ready());
            assertThat(listener.protocolStacks()).containsExactly("TLS/TCP", "QUIC");
            SecurityParameters withoutAlpn = SecurityParameters.builder()
                    .identity(Identity.of(renewed.getKeyPair().getPrivate(), renewed.getCertificatePath()))
                    .allowedProtocols(TlsVersion.TLS_1_3).build();
            TransportServicesException refused = (TransportServicesException) Await.failure(
                    listener.updateSecurity(withoutAlpn));
            assertThat(refused.reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
            assertThat(refused.getMessage()).contains("QUIC").contains("ALPN");
            try (SSLSocket tls = jdkClient(listener.port())) {
                assertThat(peerCertificate(tls)).isEqualTo(TestPki.SERVER.getCertificate());
            }
            QuicClientConnection quic = kwikClient(listener.port());
            try {
                assertThat(quic.getServerCertificateChain().get(0)).isEqualTo(TestPki.SERVER.getCertificate());
            } finally {
                quic.close();
            }
        }
    }

    private static KeyStore trustStore() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", TestPki.ROOT.getCertificate());
        return trust;
    }

    /** A JDK TLS client with a context of its own, so it never resumes an earlier session. */
    static SSLSocket jdkClient(int port) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(TIMEOUT_MS);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // checks the 127.0.0.1 IP SAN
        parameters.setApplicationProtocols(new String[] {ALPN});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    static X509Certificate peerCertificate(SSLSocket socket) throws Exception {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }

    static String echo(SSLSocket socket, String text) throws IOException {
        return echo(socket.getOutputStream(), socket.getInputStream(), text);
    }

    private static String echo(QuicStream stream, String text) throws IOException {
        return echo(stream.getOutputStream(), stream.getInputStream(), text);
    }

    private static String echo(OutputStream out, InputStream in, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write(bytes);
        out.flush();
        return new String(in.readNBytes(bytes.length), StandardCharsets.UTF_8);
    }

    private static QuicClientConnection kwikClient(int port) throws Exception {
        // Kwik matches the certificate against DNS names only: localhost, on IPv4 where taps listens.
        // 30 s: a cold Kwik (pure Java, interpreted at first) on a loaded machine once took over 10 s.
        QuicClientConnection kwik = QuicClientConnection.newBuilder()
                .logger(KwikRecentLog.forEndpoint("client"))
                .uri(URI.create("https://localhost:" + port)).preferIPv4().applicationProtocol(ALPN)
                .customTrustStore(trustStore()).connectTimeout(Duration.ofSeconds(30)).build();
        kwik.connect();
        return kwik;
    }
}

package io.taps.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.ListenerEventHandler;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.internal.security.TlsProvider;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TestPki;
import java.io.File;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A TLS/TCP Listener with ALPN refuses a client whose ALPN list has no protocol in common with its
 * own: the client sees the fatal {@code no_application_protocol} alert (RFC 7301 §3.2), the
 * Listener delivers no Connection and reports the rejection to its handler (issue 15 items 13, 14).
 * Checked on both TLS providers with two clients that are neither taps nor Netty: OpenSSL's
 * {@code s_client} and the JDK's {@link SSLSocket}. Clients offering a common protocol, or no ALPN
 * at all, are still served.
 */
class TlsListenerAlpnInteropTest {
    static TransportServices taps;

    @BeforeAll
    static void start() {
        taps = TransportServices.builder().eventLoopThreads(2).build();
    }

    @AfterAll
    static void stop() {
        taps.close();
        System.clearProperty(TlsProvider.PROPERTY);
    }

    /** Records what the Listener reports. */
    static class ListenerEvents implements ListenerEventHandler {
        final List<Connection> received = new CopyOnWriteArrayList<>();
        final CompletableFuture<TransportServicesException> rejected = new CompletableFuture<>();
        final CompletableFuture<InetSocketAddress> rejectedFrom = new CompletableFuture<>();
        final CompletableFuture<Connection> firstReceived = new CompletableFuture<>();

        @Override
        public void connectionReceived(Connection connection) {
            received.add(connection);
            firstReceived.complete(connection);
        }

        @Override
        public void connectionRejected(Listener listener, InetSocketAddress remote, TransportServicesException reason) {
            rejectedFrom.complete(remote);
            rejected.complete(reason);
        }
    }

    static Listener listener(String provider, ListenerEvents events) {
        System.setProperty(TlsProvider.PROPERTY, provider);
        SecurityParameters server = SecurityParameters.builder()
                .identity(Identity.of(TestPki.SERVER.getKeyPair().getPrivate(), TestPki.SERVER.getCertificatePath()))
                .alpn("taps/1", "taps/2").build();
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).security(server).build()
                .listen(events);
        Await.result(listener.ready());
        return listener;
    }

    /** Runs {@code openssl s_client} to the Listener with stdin at EOF and returns what it printed. */
    static String sClient(int port, String... extra) throws Exception {
        ExternalPeers.require("openssl", "openssl");
        File root = TestPki.SERVER.toTempRootCertPem();
        try {
            List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect",
                    "127.0.0.1:" + port, "-CAfile", root.getPath(), "-verify_return_error"));
            command.addAll(List.of(extra));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            byte[] out;
            try (InputStream in = process.getInputStream()) {
                out = in.readAllBytes();
            }
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            root.delete();
        }
    }

    static SSLSocket jdkClient(int port, String... alpn) throws Exception {
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        anchors.load(null, null);
        anchors.setCertificateEntry("root", TestPki.ROOT.getCertificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(anchors);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(alpn);
        socket.setSSLParameters(parameters);
        return socket;
    }

    @ParameterizedTest(name = "provider {0}")
    @ValueSource(strings = {"openssl", "jdk"})
    void openSslClientWithoutACommonProtocolGetsNoApplicationProtocolAndNoConnection(String provider) throws Exception {
        ListenerEvents events = new ListenerEvents();
        try (Listener listener = listener(provider, events)) {
            String output = sClient(listener.port(), "-alpn", "other/1,other/2");
            assertThat(output).as(output).containsIgnoringCase("no application protocol");
            TransportServicesException reason = Await.result(events.rejected);
            assertThat(reason.reason()).isEqualTo(ErrorReason.SECURITY_FAILED);
            assertThat(reason.getMessage()).contains("ALPN mismatch").contains("other/1");
            assertThat(Await.result(events.rejectedFrom).getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(events.received).isEmpty();
        }
    }

    @ParameterizedTest(name = "provider {0}")
    @ValueSource(strings = {"openssl", "jdk"})
    void jdkClientWithoutACommonProtocolFailsWithTheAlert(String provider) throws Exception {
        ListenerEvents events = new ListenerEvents();
        try (Listener listener = listener(provider, events); SSLSocket socket = jdkClient(listener.port(), "other/1")) {
            assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("no_application_protocol");
            assertThat(Await.result(events.rejected).getMessage()).contains("ALPN mismatch");
            assertThat(events.received).isEmpty();
        }
    }

    @ParameterizedTest(name = "provider {0}")
    @ValueSource(strings = {"openssl", "jdk"})
    void clientsWithACommonProtocolOrNoAlpnAreServed(String provider) throws Exception {
        ListenerEvents events = new ListenerEvents();
        try (Listener listener = listener(provider, events)) {
            try (SSLSocket socket = jdkClient(listener.port(), "other/1", "taps/2")) {
                socket.startHandshake();
                assertThat(socket.getApplicationProtocol()).isEqualTo("taps/2");
                Connection accepted = Await.result(events.firstReceived);
                assertThat(accepted.negotiatedApplicationProtocol()).contains("taps/2");
            }
            String output = sClient(listener.port());
            assertThat(output).as(output).contains("No ALPN negotiated").doesNotContainIgnoringCase("alert");
            assertThat(events.rejected).isNotDone();
        }
    }
}

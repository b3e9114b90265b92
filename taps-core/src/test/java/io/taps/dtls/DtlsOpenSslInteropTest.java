package io.taps.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.TransportProperties;
import io.taps.testing.Await;
import io.taps.testing.DebianPackages;
import io.taps.testing.TapsTestSupport;
import io.taps.testing.TestPki;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * taps DTLS/UDP against OpenSSL's own DTLS 1.2 client and server (issue 18), both directions, with
 * certificate and hostname verification on, certificates from the generated test PKI: every line
 * sent arrives whole and in order (loopback loses nothing), and a certificate for another name
 * fails with SecurityFailed.
 */
class DtlsOpenSslInteropTest extends TapsTestSupport {
    private static final int MESSAGES = 100;
    private static File chain;
    private static File key;
    private static File root;

    @BeforeAll
    static void pki() throws Exception {
        DebianPackages.require("openssl", "openssl");
        chain = TestPki.SERVER.toTempCertChainPem();
        key = TestPki.SERVER.toTempPrivateKeyPem();
        root = TestPki.SERVER.toTempRootCertPem();
    }

    @AfterAll
    static void cleanUp() {
        for (File file : new File[] {chain, key, root}) {
            if (file != null) {
                file.delete();
            }
        }
    }

    @Test
    void tapsClientToOpenSslServerBothWays() throws Exception {
        int port = freeUdpPort();
        try (OpenSsl server = OpenSsl.start("ACCEPT", "openssl", "s_server", "-dtls1_2", "-accept", "127.0.0.1:" + port,
                "-cert", chain.getPath(), "-key", key.getPath(), "-naccept", "1")) {
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                    .security(DtlsConnectionTest.client()).properties(TransportProperties.unreliableDatagram())
                    .build().initiate();
            Await.result(client.ready());
            assertThat(client.securityOutcome().orElseThrow().protocolVersion()).isEqualTo("DTLSv1.2");
            for (int i = 0; i < MESSAGES; i++) {
                Await.result(client.send("taps-" + i + "\n"));
            }
            server.await("taps-" + (MESSAGES - 1));
            server.send("from-openssl\n");
            assertThat(Await.result(client.receive()).asString()).isEqualTo("from-openssl\n");
            assertThat(server.lines()).containsSubsequence(expected("taps-"));
            client.close();
            Await.result(client.closed());
        }
    }

    @Test
    void openSslClientToTapsListenerBothWays() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = DtlsConnectionTest.dtlsEcho("127.0.0.1", DtlsConnectionTest.server(TestPki.SERVER), accepted);
                OpenSsl client = OpenSsl.start("Verification: OK", "openssl", "s_client", "-dtls1_2", "-connect",
                        "127.0.0.1:" + listener.port(), "-CAfile", root.getPath(), "-verify_return_error",
                        "-verify_hostname", "localhost", "-servername", "localhost")) {
            for (int i = 0; i < MESSAGES; i++) {
                client.send("openssl-" + i + "\n");
                // One line per record: s_client reads stdin line by line, so wait for each echo.
                client.await("openssl-" + i);
            }
            assertThat(client.lines()).containsSubsequence(expected("openssl-"));
            assertThat(accepted).hasSize(1);
            Connection peer = accepted.get(0);
            assertThat(peer.securityOutcome().orElseThrow().protocolVersion()).isEqualTo("DTLSv1.2");
            // End of input: s_client sends close_notify, which is the peer's Close.
            client.endInput();
            Await.result(peer.closed());
        }
    }

    @Test
    void openSslServerWithCertificateForAnotherNameFailsWithSecurityFailed() throws Exception {
        int port = freeUdpPort();
        try (OpenSsl server = OpenSsl.start("ACCEPT", "openssl", "s_server", "-dtls1_2", "-accept", "127.0.0.1:" + port,
                "-cert", chain.getPath(), "-key", key.getPath(), "-naccept", "1")) {
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                    .security(DtlsConnectionTest.client().toBuilder().serverName("wrong-name.example").build())
                    .properties(TransportProperties.unreliableDatagram())
                    .build().initiate();
            Throwable failure = Await.failure(client.ready());
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.SECURITY_FAILED);
            assertThat(failure).hasMessageContaining("hostname");
        }
    }

    private static List<String> expected(String prefix) {
        return java.util.stream.IntStream.range(0, MESSAGES).mapToObj(i -> prefix + i).toList();
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** An openssl process whose output lines are collected; ready once it printed {@code readyLine}. */
    private static final class OpenSsl implements AutoCloseable {
        private final Process process;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final CompletableFuture<Void> ready = new CompletableFuture<>();

        private OpenSsl(Process process, String readyLine) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                        if (line.contains(readyLine)) {
                            ready.complete(null);
                        }
                    }
                } catch (Exception ignored) {
                    // the process ended
                }
                ready.completeExceptionally(new IllegalStateException("openssl ended: " + lines));
            }, "openssl-output");
            reader.setDaemon(true);
            reader.start();
        }

        static OpenSsl start(String readyLine, String... command) throws Exception {
            OpenSsl peer = new OpenSsl(new ProcessBuilder(command).redirectErrorStream(true).start(), readyLine);
            peer.ready.get(20, TimeUnit.SECONDS);
            return peer;
        }

        void send(String text) throws Exception {
            OutputStream in = process.getOutputStream();
            in.write(text.getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        void endInput() throws Exception {
            process.getOutputStream().close();
        }

        void await(String line) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .pollDelay(java.time.Duration.ZERO).pollInterval(java.time.Duration.ofMillis(2))
                    .until(() -> lines.contains(line));
        }

        List<String> lines() {
            return lines;
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}

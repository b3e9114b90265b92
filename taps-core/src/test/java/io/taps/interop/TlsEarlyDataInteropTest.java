package io.taps.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.Preconnection;
import io.taps.TransportServices;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.interop.ExternalPeers.Peer;
import io.taps.monitor.EstablishmentReport;
import io.taps.properties.MessageProperties;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * TLS 1.3 early data over TCP (issue 17 item 3) against {@code openssl s_server -early_data}, a
 * server that offers 0-RTT in its tickets: Netty's TLS engines (tcnative/BoringSSL, JSSE) expose no
 * early-data API, so taps never sends early data on TLS/TCP (docs/zero-rtt.md). This checks that
 * the limit is honest: a safely replayable InitiateWithSend Message to a server that would accept
 * early data goes after the handshake, exactly once, the report does not claim early data, and
 * OpenSSL says it received none.
 */
class TlsEarlyDataInteropTest {

    @Test
    void aResumedTlsTcpConnectionSendsItsReplayableFirstMessageOnceAfterTheHandshakeNotAsEarlyData()
            throws Exception {
        ExternalPeers.require("openssl", "openssl");
        int port = ExternalPeers.freePort();
        File chain = TestPki.SERVER.toTempCertChainPem();
        File key = TestPki.SERVER.toTempPrivateKeyPem();
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).build();
                Peer peer = Peer.start("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", chain.getPath(),
                        "-key", key.getPath(), "-naccept", "2", "-tls1_3", "-early_data")) {
            ExternalPeers.awaitListening(port);
            CompletableFuture<String> printed = CompletableFuture.supplyAsync(() -> {
                try (InputStream out = peer.process.getInputStream()) {
                    return new String(out.readAllBytes(), StandardCharsets.ISO_8859_1);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, ExternalPeers.PEER_THREADS);
            // Parameters of their own: a fresh client context, so a session cache for this server only.
            Preconnection preconnection = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                    .security(SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate())
                            .allowedProtocols(TlsVersion.TLS_1_3).cachedSessionLifetime(Duration.ofSeconds(304))
                            .build())
                    .build();
            Connection first = send(preconnection, "first-replayable-message");
            assertThat(first.securityOutcome().orElseThrow().resumed()).isFalse();
            // Whether this second handshake resumes (s_server's tickets allow early data) does not
            // change the outcome: taps has no way to send early data on TLS/TCP. (Seen here: the
            // tcnative client does not resume against OpenSSL 3.0's TLS 1.3 tickets when it closes
            // right after the handshake.)
            Connection second = send(preconnection, "second-replayable-message");
            assertThat(second.establishmentReport().startedAttempts()).extracting(EstablishmentReport.Attempt::earlyData)
                    .containsOnly(false);
            String output = Await.result(printed, Duration.ofSeconds(20));
            assertThat(output).as(peer.log()).doesNotContain("Early data received");
            assertThat(count(output, "No early data received")).as(output).isEqualTo(2);
            assertThat(count(output, "first-replayable-message")).as(output).isEqualTo(1);
            assertThat(count(output, "second-replayable-message")).as(output).isEqualTo(1);
        } finally {
            chain.delete();
            key.delete();
        }
    }

    private static Connection send(Preconnection preconnection, String text) {
        Message message = Message.of(text + "\n").withContext(MessageContext.of(
                MessageProperties.builder().safelyReplayable(true).build()));
        Connection connection = preconnection.initiateWithSend(message, RecordingHandler.eventsOnly());
        Await.result(connection.ready());
        connection.close();
        Await.result(connection.closed());
        return connection;
    }

    private static int count(String text, String what) {
        int count = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + what.length())) {
            count++;
        }
        return count;
    }
}

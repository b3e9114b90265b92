package io.taps;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.endpoint.RemoteEndpoint;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.PlainTcpPeer;
import io.taps.testing.RecordingHandler;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * TransportServices.close() ends Connections gracefully within the shutdown timeout (RFC 9622 §10
 * Close) and aborts only what is left when it expires (§10 Abort). The peers are plain JDK sockets,
 * not taps and not Netty.
 */
class TransportServicesShutdownTest {
    /** More than the socket buffers of both ends hold, so most of it still waits in taps' queue at close(). */
    private static final int QUEUED_BYTES = 16 * 1024 * 1024;

    @Test
    void queuedDataReachesAPeerThatReadsItBeforeTheShutdownTimeout() throws Exception {
        byte[] data = new byte[QUEUED_BYTES];
        new Random(13).nextBytes(data);
        CompletableFuture<Void> startReading = new CompletableFuture<>();
        CompletableFuture<byte[]> peerDigest = new CompletableFuture<>();
        CompletableFuture<Long> peerCount = new CompletableFuture<>();
        try (PlainTcpPeer reader = PlainTcpPeer.start(socket -> {
            startReading.get();
            socket.setSoTimeout(60_000);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) != -1; total += n) {
                sha.update(buffer, 0, n);
            }
            peerCount.complete(total);
            peerDigest.complete(sha.digest());
            socket.shutdownOutput();
        })) {
            TransportServices taps = TransportServices.builder().eventLoopThreads(1)
                    .shutdownTimeout(Duration.ofSeconds(60)).build();
            RecordingHandler events = new RecordingHandler();
            Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", reader.port()))
                    .build().initiate(events);
            Await.result(client.ready());
            CompletableFuture<?> sent = client.send(data).toCompletableFuture();
            // The peer reads only once close() has begun: the data is still queued when it starts.
            CompletableFuture<Void> closing = CompletableFuture.runAsync(taps::close);
            startReading.complete(null);
            Await.result(closing, Duration.ofSeconds(90));

            assertThat(sent).isCompleted();
            assertThat(Await.result(peerCount)).isEqualTo(QUEUED_BYTES);
            assertThat(Await.result(peerDigest)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
            Await.result(client.closed());
            assertThat(events.events()).containsSubsequence("Ready", "Sent", "Closed")
                    .doesNotContain("ConnectionError");
        }
    }

    /**
     * A QUIC Listener's sockets carry the stream Connections it accepted, so they close only after
     * the graceful phase: a response still queued on the server when its system closes reaches the
     * client whole.
     */
    @Test
    void aQuicServersQueuedResponseReachesTheClientWhenTheServerSystemCloses() throws Exception {
        byte[] response = new byte[4 * 1024 * 1024];
        new Random(7).nextBytes(response);
        TransportServices server = TransportServices.builder().eventLoopThreads(1)
                .shutdownTimeout(Duration.ofSeconds(60)).build();
        CompletableFuture<Void> responseQueued = new CompletableFuture<>();
        Listener listener = server.preconnection().local(io.taps.endpoint.LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(io.taps.connection.QuicConnectionTestAccess.quicOnly())
                .security(io.taps.connection.QuicConnectionTestAccess.server()).build()
                .listen(accepted -> accepted.receive().thenRun(() -> {
                    accepted.send(response);
                    responseQueued.complete(null);
                }));
        Await.result(listener.ready());
        try (TransportServices client = TransportServices.builder().eventLoopThreads(1).build()) {
            Connection connection = client.preconnection()
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(io.taps.connection.QuicConnectionTestAccess.quicOnly())
                    .security(io.taps.connection.QuicConnectionTestAccess.client()).build().initiate();
            Await.result(connection.ready());
            Await.result(connection.send("request"));
            Await.result(responseQueued);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long total = 0;
            while (total < response.length) {
                byte[] part = Await.result(connection.receive()).bytes();
                sha.update(part);
                total += part.length;
            }
            assertThat(total).isEqualTo(response.length);
            assertThat(sha.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(response));
            connection.close();
            Await.result(closing, Duration.ofSeconds(90));
        }
    }

    @Test
    void aPeerThatNeverReadsIsAbortedWhenTheShutdownTimeoutExpires() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (PlainTcpPeer stalled = PlainTcpPeer.start(socket -> release.get())) {
            TransportServices taps = TransportServices.builder().eventLoopThreads(1)
                    .shutdownTimeout(Duration.ofMillis(500)).build();
            RecordingHandler events = new RecordingHandler();
            Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", stalled.port()))
                    .properties(io.taps.properties.TransportProperties.builder().closeTimeout(
                            io.taps.properties.Timeout.NONE).build())
                    .build().initiate(events);
            Await.result(client.ready());
            CompletableFuture<?> sent = client.send(new byte[QUEUED_BYTES]).toCompletableFuture();

            taps.close();

            Throwable ended = Await.failure(client.closed());
            assertThat(((TransportServicesException) ended).reason()).isEqualTo(ErrorReason.LOCAL_ABORT);
            assertThat(events.events()).contains("ConnectionError:LocalAbort").doesNotContain("Closed");
            // The Message that never got out ends with exactly one outcome, a SendError.
            assertThat(Await.failure(sent)).isInstanceOf(TransportServicesException.class);
        } finally {
            release.complete(null);
        }
    }
}

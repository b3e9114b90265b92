package io.taps.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.PlainTcpPeer;
import io.taps.testing.TapsTestSupport;
import java.io.InputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code Connection.sendAll(publisher)}, the send side of issue 22, to a plain JDK peer that reads
 * slowly: the publisher is asked for more only as Sent events confirm what it gave, so the bytes
 * taps holds stay within the window, no SendQueueFull ever comes, and the peer gets every byte.
 */
class SendAllTest extends TapsTestSupport {
    private static final int CHUNK = 64 * 1024;

    @Test
    void aBulkTransferToASlowReaderStaysInsideTheWindowWithoutSendQueueFull() throws Exception {
        MessageDigest peerDigest = StreamData.sha256();
        long chunks = 1024; // 64 MiB
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> readSlowly(socket, peerDigest))) {
            Connection connection = connect(peer.port());
            StreamData.ChunkSource source = new StreamData.ChunkSource(chunks, CHUNK,
                    () -> connection.transferReport().bytesSent());

            long sent = Await.result(connection.sendAll(source).thenCompose(
                    bytes -> connection.sendFinal().thenApply(context -> bytes)), Duration.ofSeconds(120));

            Await.result(peer.done(), Duration.ofSeconds(60));
            assertThat(sent).isEqualTo(chunks * CHUNK);
            assertThat(peerDigest.digest()).isEqualTo(source.digest.digest());
            assertThat(source.violation).isNull();
            System.out.printf("64 MiB to a slow reader: at most %,d bytes were given to taps but not yet Sent%n",
                    source.maxUnconfirmed.get());
            assertThat(source.maxUnconfirmed.get()).as("bytes handed to taps and not yet Sent")
                    .isLessThanOrEqualTo(Connection.DEFAULT_SEND_WINDOW + CHUNK);
            connection.close();
        }
    }

    @Test
    void theWindowIsCappedAtHalfTheSendQueueLimit() throws Exception {
        MessageDigest peerDigest = StreamData.sha256();
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> readSlowly(socket, peerDigest))) {
            Connection connection = connect(peer.port());
            connection.setProperty("_taps.sendQueueLimit", 256 * 1024L);
            StreamData.ChunkSource source = new StreamData.ChunkSource(256, CHUNK,
                    () -> connection.transferReport().bytesSent());
            Await.result(connection.sendAll(source, 64L << 20).thenCompose(bytes -> connection.sendFinal()),
                    Duration.ofSeconds(60));
            Await.result(peer.done(), Duration.ofSeconds(60));
            assertThat(peerDigest.digest()).isEqualTo(source.digest.digest());
            assertThat(source.maxUnconfirmed.get()).isLessThanOrEqualTo(128 * 1024 + CHUNK);
            connection.close();
        }
    }

    @Test
    void aSendErrorFailsTheStageAndCancelsThePublisher() throws Exception {
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> PlainTcpPeer.readToEnd(socket.getInputStream()))) {
            Connection connection = connect(peer.port());
            Await.result(connection.sendFinal(Message.of("the end")));
            StreamData.ChunkSource source = new StreamData.ChunkSource(1000, CHUNK, () -> 0);

            Throwable failure = Await.failure(connection.sendAll(source));

            assertThat(failure).isInstanceOf(TransportServicesException.class);
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.FINAL_MESSAGE_SENT);
            assertThat(source.cancelled).as("the publisher was cancelled").isTrue();
            connection.abort();
        }
    }

    @Test
    void aPublisherThatIgnoresDemandFailsTheStage() throws Exception {
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> PlainTcpPeer.readToEnd(socket.getInputStream()))) {
            Connection connection = connect(peer.port());
            AtomicBoolean cancelled = new AtomicBoolean();
            // Answers each request(1) with two Messages.
            Flow.Publisher<Message> flood = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    if (!cancelled.get()) {
                        subscriber.onNext(Message.of("asked"));
                        subscriber.onNext(Message.of("not asked"));
                    }
                }

                @Override
                public void cancel() {
                    cancelled.set(true);
                }
            });
            AtomicReference<Throwable> failure = new AtomicReference<>();
            failure.set(Await.failure(connection.sendAll(flood)));
            assertThat(failure.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("1.1");
            assertThat(cancelled).isTrue();
            connection.abort();
        }
    }

    @Test
    void aPublisherErrorFailsTheStage() throws Exception {
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> PlainTcpPeer.readToEnd(socket.getInputStream()))) {
            Connection connection = connect(peer.port());
            IllegalStateException broken = new IllegalStateException("source broke");
            Flow.Publisher<Message> failing = subscriber -> {
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                    }
                });
                subscriber.onError(broken);
            };
            assertThat(Await.failure(connection.sendAll(failing))).isSameAs(broken);
            connection.abort();
        }
    }

    static Connection connect(int port) {
        Connection connection = taps.preconnection().security(SecurityParameters.disabled())
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", port)).build().initiate();
        Await.result(connection.ready());
        return connection;
    }

    /** Reads in 16 KiB bites, pausing 1 ms after every 256 KiB: a reader slower than the sender. */
    static void readSlowly(Socket socket, MessageDigest digest) throws Exception {
        socket.setSoTimeout(60_000);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[16 * 1024];
        long sinceNap = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, n);
            sinceNap += n;
            if (sinceNap >= 256 * 1024) {
                sinceNap = 0;
                Thread.sleep(1);
            }
        }
    }
}

package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.channel.epoll.Epoll;
import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.MessageProperties;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TapsTestSupport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The end of a TCP Connection against a peer that is neither taps nor Netty (plain JDK sockets):
 * what Close delivers after it is called, how soon Closed follows a Final message, and how a
 * transport failure during Close is reported (RFC 9622 §10, §11).
 */
class ConnectionEndTest extends TapsTestSupport {
    private static final int SO_TIMEOUT_MS = 20_000;
    private static ExecutorService peers;

    @BeforeAll
    static void startPeers() {
        peers = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stopPeers() throws InterruptedException {
        peers.shutdownNow();
        peers.awaitTermination(5, TimeUnit.SECONDS);
    }

    private static ServerSocket loopbackServer(int receiveBuffer) throws IOException {
        ServerSocket server = new ServerSocket();
        if (receiveBuffer > 0) {
            // Set before bind so the accepted socket's window starts small.
            server.setReceiveBufferSize(receiveBuffer);
        }
        server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        server.setSoTimeout(SO_TIMEOUT_MS);
        return server;
    }

    private static Connection connect(ServerSocket server, TransportProperties properties, RecordingHandler events) {
        Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort()))
                .properties(properties).build().initiate(events);
        Await.result(client.ready());
        return client;
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    /**
     * Defect 1: Close() and then Receive. The documented model: after Close, what the peer sends
     * until its end of stream is still delivered (bounded by the close timeout), and Closed comes
     * once it was all received. The Receives start only after the peer has echoed everything and
     * closed, so nothing can be delivered before taps has seen the peer's end.
     */
    @Test
    void closeThenReceiveDeliversEverythingThePeerSendsBeforeItsEnd() throws Exception {
        byte[] payload = new byte[256 * 1024];
        new Random(7).nextBytes(payload);
        try (ServerSocket server = loopbackServer(0)) {
            CompletableFuture<Long> echoed = CompletableFuture.supplyAsync(() -> {
                try (Socket peer = server.accept()) {
                    peer.setSoTimeout(SO_TIMEOUT_MS);
                    InputStream in = peer.getInputStream();
                    OutputStream out = peer.getOutputStream();
                    byte[] buffer = new byte[16 * 1024];
                    long total = 0;
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        out.write(buffer, 0, n);
                        total += n;
                    }
                    out.flush();
                    peer.shutdownOutput();
                    return total;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, peers);
            RecordingHandler events = new RecordingHandler();
            Connection client = connect(server, TransportProperties.builder()
                    .set(Property.CLOSE_TIMEOUT, Timeout.of(Duration.ofSeconds(30))).build(), events);
            client.send(Message.of(payload));
            client.close();
            assertThat(Await.result(echoed)).isEqualTo(payload.length);

            java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
            Message message;
            do {
                message = Await.result(client.receive());
                received.writeBytes(message.bytes());
            } while (!message.endOfMessage());

            assertThat(received.size()).isEqualTo(payload.length);
            assertThat(sha256(received.toByteArray())).isEqualTo(sha256(payload));
            assertThat(message.context().isFinal()).as("the peer's end of stream ends the Message").isTrue();
            Await.result(client.closed());
            assertThat(events.events()).endsWith("Closed").doesNotContain("ReceiveError:ConnectionClosed");
        }
    }

    /**
     * Defect 3: after a Final message the output is already shut down; Close must still go on to
     * close once the peer's end arrives instead of waiting out the whole close timeout.
     */
    @Test
    void closeAfterAFinalMessageEndsWhenThePeerEndsNotAtTheCloseTimeout() throws Exception {
        try (ServerSocket server = loopbackServer(0)) {
            CompletableFuture<Integer> peerRead = CompletableFuture.supplyAsync(() -> {
                try (Socket peer = server.accept()) {
                    peer.setSoTimeout(SO_TIMEOUT_MS);
                    int length = peer.getInputStream().readAllBytes().length;
                    peer.shutdownOutput();
                    return length;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, peers);
            RecordingHandler events = new RecordingHandler();
            Connection client = connect(server, TransportProperties.builder()
                    .set(Property.CLOSE_TIMEOUT, Timeout.of(Duration.ofSeconds(30))).build(), events);
            MessageContext last = MessageContext.of(MessageProperties.builder().set(Property.FINAL, true).build());
            Await.result(client.send(Message.of(new byte[1000]), last, true));
            assertThat(Await.result(peerRead)).isEqualTo(1000);
            client.close();
            // Waits on the event, far below the 30 s close timeout.
            Await.result(client.closed(), Duration.ofSeconds(10));
            assertThat(events.events()).endsWith("Closed");
        }
    }

    /** Sends until the kernel buffers are full and taps queues; returns every send's completion. */
    private static List<CompletionStage<MessageContext>> fillSendQueue(Connection client) {
        List<CompletionStage<MessageContext>> sends = new ArrayList<>();
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < 256; i++) {
            sends.add(client.send(Message.of(chunk)));
        }
        return sends;
    }

    /** Every Send ended with exactly one of Sent, Expired or SendError, and at least one failed. */
    private static void assertEverySendEnded(List<CompletionStage<MessageContext>> sends, RecordingHandler events) {
        int failed = 0;
        for (CompletionStage<MessageContext> send : sends) {
            CompletableFuture<MessageContext> future = send.toCompletableFuture();
            Await.result(send.handle((ok, error) -> null));
            assertThat(future).isDone();
            if (future.isCompletedExceptionally()) {
                failed++;
            }
        }
        long outcomes = events.events().stream()
                .filter(e -> e.equals("Sent") || e.startsWith("SendError") || e.equals("Expired")).count();
        assertThat(outcomes).as("one Sent, Expired or SendError per Send").isEqualTo(sends.size());
        assertThat(failed).as("the queued messages could not be sent").isPositive();
    }

    /**
     * Defect 7: the peer never reads, so Close cannot drain the queue; connTimeout (applied as
     * TCP_USER_TIMEOUT on epoll) makes the kernel abort the connection mid-close. That is a
     * ConnectionError naming the timeout, and every queued Message gets its SendError.
     */
    @Test
    void aTransportTimeoutWhileClosingIsAConnectionErrorAndFailsEveryQueuedSend() throws Exception {
        assumeThat(Epoll.isAvailable() && !"nio".equalsIgnoreCase(System.getProperty("taps.transport", "")))
                .as("TCP_USER_TIMEOUT needs the epoll transport").isTrue();
        try (ServerSocket server = loopbackServer(4096)) {
            CompletableFuture<Socket> stalled = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, peers);
            RecordingHandler events = new RecordingHandler();
            Connection client = connect(server, TransportProperties.builder()
                    .set(Property.CONN_TIMEOUT, Timeout.of(Duration.ofSeconds(2)))
                    .set(Property.CLOSE_TIMEOUT, Timeout.of(Duration.ofSeconds(60))).build(), events);
            try (Socket peer = Await.result(stalled)) {
                List<CompletionStage<MessageContext>> sends = fillSendQueue(client);
                client.close();
                Throwable failure = Await.failure(client.closed(), Duration.ofSeconds(40));
                assertThat(failure).isInstanceOf(TransportServicesException.class);
                TransportServicesException error = (TransportServicesException) failure;
                assertThat(error.reason()).isEqualTo(ErrorReason.TIMEOUT);
                assertThat(error.getMessage()).doesNotContain("peer closed");
                assertThat(events.events()).last().isEqualTo("ConnectionError:Timeout");
                assertEverySendEnded(sends, events);
            }
        }
    }

    /** Defect 7: the peer resets the connection while taps is still closing: ConnectionError, not Closed. */
    @Test
    void aResetWhileClosingIsAConnectionErrorAndFailsEveryQueuedSend() throws Exception {
        try (ServerSocket server = loopbackServer(4096)) {
            CompletableFuture<Socket> stalled = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, peers);
            RecordingHandler events = new RecordingHandler();
            Connection client = connect(server, TransportProperties.builder()
                    .set(Property.CLOSE_TIMEOUT, Timeout.of(Duration.ofSeconds(60))).build(), events);
            Socket peer = Await.result(stalled);
            List<CompletionStage<MessageContext>> sends = fillSendQueue(client);
            client.close();
            // Unread data plus SO_LINGER 0: the peer's kernel answers with RST.
            peer.setSoLinger(true, 0);
            peer.close();
            Throwable failure = Await.failure(client.closed(), Duration.ofSeconds(20));
            assertThat(failure).isInstanceOf(TransportServicesException.class);
            TransportServicesException error = (TransportServicesException) failure;
            assertThat(error.reason()).isEqualTo(ErrorReason.CONNECTION_ABORTED);
            assertThat(error.getMessage()).contains("reset").doesNotContain("peer closed");
            assertThat(events.events()).last().isEqualTo("ConnectionError:ConnectionAborted");
            assertEverySendEnded(sends, events);
        }
    }
}

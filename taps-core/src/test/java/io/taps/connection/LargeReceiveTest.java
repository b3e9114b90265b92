package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Message;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TapsTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Receive backpressure never blocks progress (RFC 9622 §9.3.1): a Receive whose
 * minIncompleteLength exceeds the receive high-water mark (1 MiB) is still satisfied, against a
 * peer that is neither taps nor Netty (a plain JDK socket).
 */
class LargeReceiveTest extends TapsTestSupport {
    private static final int MIB = 1 << 20;

    /** Defect 6 of issue 13: receive(2 MiB, 4 MiB) used to pause reading at 1 MiB and wait forever. */
    @Test
    void receiveAboveTheHighWaterMarkGetsItsMinimumThenTheRestThenTheEnd() throws Exception {
        byte[] payload = new byte[3 * MIB];
        new Random(6).nextBytes(payload);
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            server.setSoTimeout(20_000);
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (Socket socket = server.accept()) {
                    OutputStream out = socket.getOutputStream();
                    out.write(payload);
                    out.flush();
                    socket.shutdownOutput();
                    // Wait for taps to end its side so every byte is read before the socket closes.
                    socket.setSoTimeout(20_000);
                    socket.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            RecordingHandler events = new RecordingHandler();
            Connection client = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort()))
                    .properties(TransportProperties.builder().build()).build().initiate(events);
            Await.result(client.ready());

            Message first = Await.result(client.receive(2 * MIB, 4 * MIB), Duration.ofSeconds(20));
            assertThat(first.length()).isGreaterThanOrEqualTo(2 * MIB);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            received.writeBytes(first.bytes());
            Message message = first;
            while (!message.endOfMessage()) {
                message = Await.result(client.receive(), Duration.ofSeconds(20));
                received.writeBytes(message.bytes());
            }
            assertThat(received.size()).isEqualTo(payload.length);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            assertThat(sha.digest(received.toByteArray()))
                    .isEqualTo(MessageDigest.getInstance("SHA-256").digest(payload));
            assertThat(message.context().isFinal()).as("the peer's end of stream ends the Message").isTrue();
            client.close();
            Await.result(client.closed(), Duration.ofSeconds(20));
            Await.result(peer, Duration.ofSeconds(20));
            assertThat(events.events()).endsWith("Closed");
        }
    }
}

package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.MessageProperties;
import java.time.Duration;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Partial sends of one Message stay one Message on a framed byte stream (RFC 9622 §9.2.3): another
 * Message sent while a partial Message is open is held back until that Message ends.
 */
class PartialSendTest extends TapsTestSupport {

    /** Defect 5 of issue 13: send(a1, A, partial); send(b, B); send(a2, A, end) went out as a1‖b, a2. */
    @Test
    void interleavedPartialSendsKeepTheirMessageWholeWithALengthPrefix() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<List<String>> frames = lengthPrefixedFrames(server, 2);
            Connection connection = taps.preconnection().security(SecurityParameters.disabled()).framer(LengthPrefixFramer.factory(4))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort())).build().initiate();
            Await.result(connection.ready());
            MessageContext a = MessageContext.create();
            MessageContext b = MessageContext.create();
            var a1 = connection.send(Message.of("a1".getBytes(StandardCharsets.UTF_8)), a, false);
            var sentB = connection.send(Message.of("b".getBytes(StandardCharsets.UTF_8)), b, true);
            var a2 = connection.send(Message.of("a2".getBytes(StandardCharsets.UTF_8)), a, true);
            assertThat(Await.result(frames)).containsExactly("a1a2", "b");
            Await.result(a1);
            Await.result(a2);
            Await.result(sentB);
            connection.abort();
        }
    }

    /**
     * Defect 5, lifetimes: a Message sent in parts has one msgLifetime, from its first part. A part
     * held back behind another open Message expires, and so does its later part, at once: it is
     * never sent alone as a Message of its own (a2 went out as its own frame before).
     */
    @Test
    void aPartialMessageExpiresWholeAndItsLaterPartNeverGoesOutAlone() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<List<String>> frames = lengthPrefixedFrames(server, 2);
            Connection connection = taps.preconnection().security(SecurityParameters.disabled()).framer(LengthPrefixFramer.factory(4))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort())).build().initiate();
            Await.result(connection.ready());
            MessageContext x = MessageContext.create();
            MessageContext a = MessageContext.of(MessageProperties.builder().msgLifetime(Duration.ofMillis(100)).build());
            var x1 = connection.send(Message.of(bytes("x1")), x, false);
            var a1 = connection.send(Message.of(bytes("a1")), a, false);   // held back behind x, then expires
            assertThat(Await.failure(a1)).isInstanceOf(TransportServicesException.class)
                    .extracting(e -> ((TransportServicesException) e).reason()).isEqualTo(ErrorReason.TIMEOUT);
            var x2 = connection.send(Message.of(bytes("x2")), x, true);
            var a2 = connection.send(Message.of(bytes("a2")), a, true);    // the rest of an expired Message
            assertThat(Await.failure(a2)).isInstanceOf(TransportServicesException.class);
            var after = connection.send(Message.of(bytes("after")), MessageContext.create(), true);
            assertThat(Await.result(frames)).containsExactly("x1x2", "after");
            Await.result(x1);
            Await.result(x2);
            Await.result(after);
            connection.abort();
        }
    }

    /** Defect 5 with the delimiter framer: interleaved partial sends mixed the lines too. */
    @Test
    void interleavedPartialSendsKeepTheirLineWholeWithTheDelimiterFramer() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = server.accept()) {
                    socket.setSoTimeout(20_000);
                    java.io.BufferedReader in = new java.io.BufferedReader(
                            new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                    return List.of(in.readLine(), in.readLine());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Connection connection = taps.preconnection().security(SecurityParameters.disabled()).framer(io.taps.framer.delimiter.DelimiterFramer.lines())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort())).build().initiate();
            Await.result(connection.ready());
            MessageContext a = MessageContext.create();
            var a1 = connection.send(Message.of(bytes("a1")), a, false);
            var b = connection.send(Message.of(bytes("b")), MessageContext.create(), true);
            var a2 = connection.send(Message.of(bytes("a2")), a, true);
            assertThat(Await.result(lines)).containsExactly("a1a2", "b");
            Await.result(a1);
            Await.result(a2);
            Await.result(b);
            connection.abort();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static CompletableFuture<List<String>> lengthPrefixedFrames(ServerSocket server, int count) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(20_000);
                DataInputStream in = new DataInputStream(socket.getInputStream());
                List<String> seen = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    byte[] body = new byte[in.readInt()];
                    in.readFully(body);
                    seen.add(new String(body, StandardCharsets.UTF_8));
                }
                return seen;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}

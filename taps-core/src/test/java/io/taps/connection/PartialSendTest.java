package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
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
            CompletableFuture<List<String>> frames = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = server.accept()) {
                    socket.setSoTimeout(20_000);
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    List<String> seen = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        byte[] body = new byte[in.readInt()];
                        in.readFully(body);
                        seen.add(new String(body, StandardCharsets.UTF_8));
                    }
                    return seen;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Connection connection = taps.preconnection().framer(LengthPrefixFramer.factory(4))
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
}

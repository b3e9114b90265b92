package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Sends queued before Ready that are more than the socket takes at once all go once the
 * Connection is Ready, and a Close called before Ready ends with all of them Sent and the peer
 * holding every byte. Session 23 (found by the borrowed-receive tests): the queue was drained when
 * the Connection adopted its link, before the channel's handler was bound to it, so the channel
 * turning writable again during that drain reached no Connection; the rest of the queue waited for
 * the next call, and behind a Close it failed with SendError Timeout when the close timeout ended,
 * the peer getting a cut-off stream. The peer is a plain JDK socket that reads everything.
 */
class SendsQueuedBeforeReadyTest extends TapsTestSupport {
    private static final int MESSAGES = 68;
    private static final int MESSAGE_BYTES = 64 * 1024;
    /** The race was lost in about half of the runs: several make a regression fail reliably. */
    private static final int RUNS = 6;

    @Test
    void everySendQueuedBeforeReadyIsWrittenEvenBehindACloseCalledBeforeReady() throws Exception {
        for (int run = 0; run < RUNS; run++) {
            sendAllBeforeReadyThenClose(run);
        }
    }

    private void sendAllBeforeReadyThenClose(long seed) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> readAll(listener));
            Outcomes outcomes = new Outcomes();
            Connection connection = taps.preconnection()
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.getLocalPort()))
                    .security(SecurityParameters.disabled()).build().initiate(outcomes);
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            Random random = new Random(seed);
            for (int i = 0; i < MESSAGES; i++) {
                byte[] bytes = new byte[MESSAGE_BYTES];
                random.nextBytes(bytes);
                sent.update(bytes);
                connection.send(Message.wrap(bytes));
            }
            connection.send(Message.empty());
            connection.close();
            Await.result(connection.closed(), Duration.ofSeconds(30));
            assertThat(outcomes.errors).as("run %d: SendErrors", seed).isEmpty();
            assertThat(outcomes.sent).as("run %d: Sent events", seed).hasValue(MESSAGES + 1);
            assertThat(received.get()).as("run %d: the peer's bytes", seed)
                    .isEqualTo((long) MESSAGES * MESSAGE_BYTES + " " + HexFormat.of().formatHex(sent.digest()));
        }
    }

    /** Everything the one accepted socket carries until its end: "length sha256". */
    private static String readAll(ServerSocket listener) {
        try (Socket socket = listener.accept(); InputStream in = socket.getInputStream()) {
            socket.setSoTimeout(20_000);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
                total += n;
            }
            return total + " " + HexFormat.of().formatHex(digest.digest());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Outcomes implements ConnectionEventHandler {
        final AtomicInteger sent = new AtomicInteger();
        final List<String> errors = new CopyOnWriteArrayList<>();

        @Override
        public void sent(Connection connection, MessageContext context) {
            sent.incrementAndGet();
        }

        @Override
        public void sendError(Connection connection, MessageContext context, TransportServicesException error) {
            errors.add(error.toString());
        }
    }
}

package io.taps.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Listener;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.interop.ExternalPeers.Digest;
import io.taps.interop.ExternalPeers.Peer;
import io.taps.reliability.NettyLeakDetection;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code receiveBorrowedWithEvents} on a plain TCP stream, against peers that are neither taps nor
 * Netty: a taps Listener echoes every borrowed Message straight from its ReceivedPartial/Received
 * handler with {@code sendWithEvents}, so each echoed byte travels in taps' own receive buffer
 * (no copy) from the read to the write. The client, socat or a JDK {@link Socket}, sends 16 MB of
 * seeded random bytes, half-closes, and reads the echo to its end: the SHA-256 of what came back
 * must equal that of what was sent, on epoll and on NIO. Every delivery must have been borrowed:
 * each comes straight from a read while the handler's Receive waits, and takes everything queued,
 * so the Receive a handler makes never finds data queued (the one case, besides a handler
 * executor, where taps hands out an owned copy instead). Netty's leak detector (PARANOID) must
 * find no buffer that the loans or the Sends kept.
 */
@ExtendWith(NettyLeakDetection.class)
class BorrowedEchoInteropTest {
    private static final long SIZE = 16L << 20;
    private static final Duration WAIT = Duration.ofSeconds(30);

    enum Client { SOCAT, JDK_SOCKET }

    static Stream<Arguments> transportsAndClients() {
        return TapsTransfers.transports().flatMap(t -> Stream.of(Arguments.of(t, Client.SOCAT),
                Arguments.of(t, Client.JDK_SOCKET)));
    }

    @ParameterizedTest(name = "{0}: {1} client -> borrowing taps echo")
    @MethodSource("transportsAndClients")
    void sixteenMegabytesEchoedFromBorrowedMessagesComeBackIntact(String transport, Client client) throws Exception {
        if (client == Client.SOCAT) {
            ExternalPeers.require("socat", "socat");
        }
        BorrowingEcho echo = new BorrowingEcho();
        try (TransportServices taps = TapsTransfers.services(transport);
                Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                        .security(SecurityParameters.disabled()).build().listen(connection -> {
                            connection.setEventHandler(echo);
                            connection.receiveBorrowedWithEvents(1, Integer.MAX_VALUE);
                        })) {
            Await.result(listener.ready());
            Digest[] sentAndEchoed = client == Client.SOCAT ? throughSocat(listener.port())
                    : throughJdkSocket(listener.port());
            assertThat(sentAndEchoed[0].bytes()).isEqualTo(SIZE);
            assertThat(sentAndEchoed[1]).as("byte count and SHA-256 of the echo").isEqualTo(sentAndEchoed[0]);
            Await.result(echo.closed, WAIT);
            assertThat(echo.failures).as("errors and reads that failed in the handler").isEmpty();
            assertThat(echo.deliveries.get()).as("deliveries").isPositive();
            assertThat(echo.notBorrowed.get()).as("deliveries that were not borrowed").isZero();
            assertThat(echo.bytes.get()).as("bytes seen in the handler").isEqualTo(SIZE);
        }
    }

    /** socat relays its stdin to the Listener and the echo to its stdout; -t: wait for the echo after stdin's EOF. */
    private static Digest[] throughSocat(int port) throws IOException {
        try (Peer peer = Peer.start("socat", "-b", "65536", "-t", "120", "STDIO", "TCP:127.0.0.1:" + port)) {
            CompletableFuture<Digest> echoed = peer.drain();
            Digest sent = Await.result(peer.feed(SIZE, 31), WAIT);
            return new Digest[] {sent, Await.result(echoed, WAIT)};
        }
    }

    /** A JDK socket: one thread writes and half-closes (shutdownOutput), this one reads the echo to its end. */
    private static Digest[] throughJdkSocket(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout((int) WAIT.toMillis());
            CompletableFuture<Digest> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    Digest digest = Digest.write(out, SIZE, 32);
                    socket.shutdownOutput();
                    return digest;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, ExternalPeers.PEER_THREADS);
            InputStream in = socket.getInputStream();
            Digest echoed = Digest.read(in);
            return new Digest[] {Await.result(sent, WAIT), echoed};
        }
    }

    /**
     * Echoes each borrowed Message (a part of the stream Message, or its last part with the end of
     * stream) inside its handler, then receives again; Close after the peer's end. The parts go out
     * as parts of one Message, so all with the context of the first: taps delivers the last part
     * of a stream with a context of its own (the Final one), and a part sent under another context
     * would wait behind the open Message for ever (taps' partial-send rule, RFC 9622 §9.2.3).
     * One Connection per echo.
     */
    static final class BorrowingEcho implements ConnectionEventHandler {
        private MessageContext streamContext;
        final AtomicLong deliveries = new AtomicLong();
        final AtomicLong notBorrowed = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        @Override
        public void received(Connection connection, Message message) {
            echo(connection, message);
        }

        @Override
        public void receivedPartial(Connection connection, Message message) {
            echo(connection, message);
        }

        private void echo(Connection connection, Message message) {
            deliveries.incrementAndGet();
            if (!message.isBorrowed()) {
                notBorrowed.incrementAndGet();
            }
            try {
                bytes.addAndGet(message.length());
                if (streamContext == null) {
                    streamContext = message.context();
                }
                // Mostly the Message itself; its last part as a view under the stream's context.
                connection.sendWithEvents(message.context() == streamContext ? message
                        : message.withContext(streamContext));
            } catch (RuntimeException e) {
                failures.add(e.toString());
            }
            if (message.endOfMessage() && message.endOfStream()) {
                connection.close();
            } else {
                connection.receiveBorrowedWithEvents(1, Integer.MAX_VALUE);
            }
        }

        @Override
        public void sendError(Connection connection, MessageContext context, TransportServicesException error) {
            failures.add("SendError " + error);
        }

        @Override
        public void receiveError(Connection connection, MessageContext context,
                TransportServicesException error) {
            failures.add("ReceiveError " + error);
        }

        @Override
        public void connectionError(Connection connection, TransportServicesException error) {
            failures.add("ConnectionError " + error);
            closed.complete(null);
        }

        @Override
        public void closed(Connection connection) {
            closed.complete(null);
        }
    }
}

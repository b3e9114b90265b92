package io.taps.connection;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Listener;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * What the borrowed-receive tests share: taps Listeners whose handler gets every Message through
 * {@code receiveBorrowedWithEvents}, plain JDK sockets that speak the 4-byte big-endian
 * length-prefix framing, and seeded payloads.
 */
final class BorrowedFixtures {
    /** Bound on every blocking socket read, so a broken test fails instead of hanging. */
    static final int SOCKET_TIMEOUT_MS = 10_000;

    private BorrowedFixtures() {
    }

    /**
     * A handler that passes every Received and ReceivedPartial Message to {@code onMessage}, counts
     * the deliveries (and those not borrowed) and records what went wrong: an exception thrown in
     * the handler, a SendError.
     */
    static class Borrowing implements ConnectionEventHandler {
        final AtomicInteger deliveries = new AtomicInteger();
        final AtomicInteger notBorrowed = new AtomicInteger();
        final AtomicInteger partials = new AtomicInteger();
        final List<String> failures = new CopyOnWriteArrayList<>();
        private final BiConsumer<Connection, Message> onMessage;

        Borrowing(BiConsumer<Connection, Message> onMessage) {
            this.onMessage = onMessage;
        }

        @Override
        public void received(Connection connection, Message message) {
            handle(connection, message);
        }

        @Override
        public void receivedPartial(Connection connection, Message message) {
            partials.incrementAndGet();
            handle(connection, message);
        }

        private void handle(Connection connection, Message message) {
            deliveries.incrementAndGet();
            if (!message.isBorrowed()) {
                notBorrowed.incrementAndGet();
            }
            try {
                onMessage.accept(connection, message);
            } catch (RuntimeException | AssertionError e) {
                failures.add("the handler threw " + e);
            }
        }

        @Override
        public void sendError(Connection connection, MessageContext context, TransportServicesException error) {
            failures.add("SendError " + error);
        }
    }

    /** A TCP Listener on 127.0.0.1 with the 4-byte length-prefix framer, receiving borrowed Messages. */
    static Listener framedListener(TransportServices taps, ConnectionEventHandler handler, int minIncompleteLength) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.reliableInorderStream())
                .security(SecurityParameters.disabled())
                .framer(LengthPrefixFramer.factory(4)).build()
                .listen(connection -> {
                    connection.setEventHandler(handler);
                    connection.receiveBorrowedWithEvents(minIncompleteLength, Integer.MAX_VALUE);
                });
        Await.result(listener.ready());
        return listener;
    }

    /** A plain TCP Listener on 127.0.0.1 (no framer: the stream is one Message), receiving borrowed Messages. */
    static Listener streamListener(TransportServices taps, ConnectionEventHandler handler) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.reliableInorderStream())
                .security(SecurityParameters.disabled()).build()
                .listen(connection -> {
                    connection.setEventHandler(handler);
                    connection.receiveBorrowedWithEvents(1, Integer.MAX_VALUE);
                });
        Await.result(listener.ready());
        return listener;
    }

    /** A JDK (not Netty) socket connected to 127.0.0.1:{@code port}. */
    static Socket jdkClient(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), SOCKET_TIMEOUT_MS);
        socket.setSoTimeout(SOCKET_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        return socket;
    }

    static void writeFrame(DataOutputStream out, byte[] body) throws IOException {
        out.writeInt(body.length);
        out.write(body);
    }

    static byte[] readFrame(DataInputStream in) throws IOException {
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return body;
    }

    /** {@code size} bytes of seeded random data. */
    static byte[] payload(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    /** What {@code action} threw, as its class name, or "no exception". */
    static String outcome(Runnable action) {
        try {
            action.run();
            return "no exception";
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }
}

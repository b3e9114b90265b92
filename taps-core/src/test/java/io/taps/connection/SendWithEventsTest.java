package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.Preconnection;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link Connection#sendWithEvents}: Send (RFC 9622 §9.2) whose outcome comes only as events.
 * Every call ends with exactly one Sent carrying the Message's context, also when the same Message
 * is sent again and again from the event loop (where taps reuses its bookkeeping) and from other
 * threads; all bytes reach a peer that is not taps (a JDK socket, SHA-256 compared); a call that
 * cannot be sent ends with SendError instead of an exception or silence.
 */
class SendWithEventsTest extends TapsTestSupport {
    private static final int ROUNDS = 300;

    @Test
    void theSameMessageSentRepeatedlyArrivesWholeWithOneSentPerCall() throws Exception {
        byte[] payload = new byte[100];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        Message message = Message.wrap(payload);
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 2 * ROUNDS; i++) {
            expected.update(payload);
        }
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> peerDigest = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = listener.accept()) {
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    MessageDigest digest = MessageDigest.getInstance("SHA-256");
                    byte[] frame = new byte[payload.length];
                    for (int i = 0; i < 2 * ROUNDS; i++) {
                        int length = in.readInt();
                        assertThat(length).isEqualTo(payload.length);
                        in.readFully(frame);
                        digest.update(frame);
                    }
                    return digest.digest();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Preconnection tcp = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.getLocalPort()))
                    .security(SecurityParameters.disabled()).build();
            tcp.addFramer(LengthPrefixFramer.factory(4));
            SentCounter events = new SentCounter(message, ROUNDS);
            Connection connection = tcp.initiate(events);
            try {
                Await.result(connection.ready());
                // From the event loop: each Sent sends the next one, so pooled Sends are reused.
                connection.sendWithEvents(message);
                Await.result(events.done, Duration.ofSeconds(30));
                // From this thread: taps makes a Send per call, and its events are the same.
                events.expect(ROUNDS);
                for (int i = 0; i < ROUNDS; i++) {
                    connection.sendWithEvents(message);
                }
                Await.result(events.done, Duration.ofSeconds(30));
                assertThat(Await.result(peerDigest, Duration.ofSeconds(30))).isEqualTo(expected.digest());
                assertThat(events.sent.get()).isEqualTo(2 * ROUNDS);
                assertThat(events.wrongContexts).isEmpty();
            } finally {
                connection.close();
                Await.result(connection.closed());
            }
        }
    }

    /**
     * Pipelined request/response (issue 21, figure 3): a peer that is not taps writes many framed
     * requests at once, taps answers each from its Received handler with sendWithEvents, more at
     * once than the Send pool had before, and its framer flushes the answers to one read together:
     * every answer arrives whole and in order (SHA-256 over all of them) with one Sent each.
     */
    @Test
    void answersToPipelinedRequestsArriveWholeAndInOrder() throws Exception {
        int count = 500;
        byte[][] requests = new byte[count][];
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < count; i++) {
            requests[i] = new byte[1 + (i * 37) % 300];
            for (int j = 0; j < requests[i].length; j++) {
                requests[i][j] = (byte) (i * 131 + j * 7);
            }
            java.io.DataOutputStream frame = new java.io.DataOutputStream(wire);
            frame.writeInt(requests[i].length);
            frame.write(requests[i]);
            expected.update(requests[i]);
        }
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> peerDigest = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = listener.accept()) {
                    socket.setTcpNoDelay(true);
                    // All requests in a few large writes, so that one read of taps holds many.
                    socket.getOutputStream().write(wire.toByteArray());
                    socket.getOutputStream().flush();
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    MessageDigest digest = MessageDigest.getInstance("SHA-256");
                    for (int i = 0; i < count; i++) {
                        byte[] answer = new byte[in.readInt()];
                        assertThat(answer.length).isEqualTo(requests[i].length);
                        in.readFully(answer);
                        digest.update(answer);
                    }
                    return digest.digest();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Preconnection tcp = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.getLocalPort()))
                    .security(SecurityParameters.disabled()).build();
            tcp.addFramer(LengthPrefixFramer.factory(4));
            AtomicInteger sent = new AtomicInteger();
            CompletableFuture<Void> allSent = new CompletableFuture<>();
            List<TransportServicesException> errors = new CopyOnWriteArrayList<>();
            Connection connection = tcp.initiate(new ConnectionEventHandler() {
                @Override
                public void ready(Connection c) {
                    c.receiveWithEvents(Integer.MAX_VALUE, Integer.MAX_VALUE);
                }

                @Override
                public void received(Connection c, Message message) {
                    if (message.endOfStream()) {
                        return; // the peer closes once it has every answer
                    }
                    c.sendWithEvents(Message.wrap(message.bytes()));
                    c.receiveWithEvents(Integer.MAX_VALUE, Integer.MAX_VALUE);
                }

                @Override
                public void sent(Connection c, MessageContext context) {
                    if (sent.incrementAndGet() == count) {
                        allSent.complete(null);
                    }
                }

                @Override
                public void sendError(Connection c, MessageContext context, TransportServicesException error) {
                    errors.add(error);
                }

                @Override
                public void receiveError(Connection c, MessageContext context, TransportServicesException error) {
                    errors.add(error);
                }
            });
            try {
                Await.result(connection.ready());
                assertThat(Await.result(peerDigest, Duration.ofSeconds(30))).isEqualTo(expected.digest());
                Await.result(allSent, Duration.ofSeconds(30));
                assertThat(sent.get()).isEqualTo(count);
                assertThat(errors).isEmpty();
            } finally {
                connection.close();
                Await.result(connection.closed());
            }
        }
    }

    /**
     * The documented consequence of the framer's one flush per read (Connection#abort): a reply sent
     * from the Received handler of a Message a read delivered is still pending when the same handler
     * Aborts, so it ends with SendError and a peer that is not taps gets none of its bytes. Whether
     * the request reaches the handler from a read cannot be forced from outside (in one full suite
     * run in 1,400 it was delivered outside one and the reply left at once), so the test holds what
     * is true either way: the reply ends with exactly one event, and that event matches what the
     * peer got (SendError and no byte, or Sent and all 8).
     */
    @Test
    void aReplySentFromTheReceivedHandlerThatThenAbortsEndsWithTheEventMatchingWhatThePeerGot() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // The request goes out once taps' Receive waits, so the reply is sent from the handler
            // of a Message a read delivers (queued before the Receive, it is delivered by the
            // Receive call instead, outside any read, and the reply leaves at once).
            CompletableFuture<Void> receiving = new CompletableFuture<>();
            CompletableFuture<Integer> bytesAtPeer = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = listener.accept()) {
                    receiving.get(20, java.util.concurrent.TimeUnit.SECONDS);
                    java.io.DataOutputStream out = new java.io.DataOutputStream(socket.getOutputStream());
                    out.writeInt(3);
                    out.write(new byte[] {1, 2, 3});
                    out.flush();
                    int read = 0;
                    try {
                        while (socket.getInputStream().read() >= 0) {
                            read++;
                        }
                    } catch (IOException reset) {
                        // Abort resets the connection: what arrived before it is counted.
                    }
                    return read;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Preconnection tcp = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.getLocalPort()))
                    .security(SecurityParameters.disabled()).build();
            tcp.addFramer(LengthPrefixFramer.factory(4));
            Message reply = Message.wrap(new byte[] {9, 9, 9, 9});
            List<MessageContext> sendErrors = new CopyOnWriteArrayList<>();
            AtomicInteger sent = new AtomicInteger();
            CompletableFuture<TransportServicesException> connectionError = new CompletableFuture<>();
            Connection connection = tcp.initiate(new ConnectionEventHandler() {
                @Override
                public void ready(Connection c) {
                    c.receiveWithEvents(Integer.MAX_VALUE, Integer.MAX_VALUE);
                    receiving.complete(null);
                }

                @Override
                public void received(Connection c, Message message) {
                    c.sendWithEvents(reply);
                    c.abort();
                }

                @Override
                public void sent(Connection c, MessageContext context) {
                    sent.incrementAndGet();
                }

                @Override
                public void sendError(Connection c, MessageContext context, TransportServicesException error) {
                    sendErrors.add(context);
                }

                @Override
                public void connectionError(Connection c, TransportServicesException error) {
                    connectionError.complete(error);
                }
            });
            Await.result(connection.ready());
            assertThat(Await.result(connectionError, Duration.ofSeconds(10))).isNotNull();
            int atPeer = Await.result(bytesAtPeer, Duration.ofSeconds(10));
            assertThat(atPeer).as("none or all of the framed reply").isIn(0, 8);
            if (atPeer == 0) {
                assertThat(sendErrors).containsExactly(reply.context());
                assertThat(sent.get()).isZero();
            } else {
                assertThat(sendErrors).isEmpty();
                assertThat(sent.get()).isEqualTo(1);
            }
        }
    }

    @Test
    void aSendThatCannotGoEndsWithSendErrorPerCall() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Preconnection udp = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", peer.getLocalPort()))
                    .properties(TransportProperties.unreliableDatagram()).security(SecurityParameters.disabled()).build();
            Message tooLarge = Message.wrap(new byte[70_000]);
            Message fits = Message.wrap(new byte[16]);
            SentCounter events = new SentCounter(null, 0);
            Connection connection = udp.initiate(events);
            try {
                Await.result(connection.ready());
                events.expect(3);
                connection.sendWithEvents(tooLarge);
                connection.sendWithEvents(fits);
                connection.sendWithEvents(tooLarge);
                Await.result(events.done, Duration.ofSeconds(10));
                assertThat(events.errors).hasSize(2).allSatisfy(error ->
                        assertThat(error.reason()).isEqualTo(ErrorReason.MESSAGE_TOO_LARGE));
                assertThat(events.errorContexts).containsExactly(tooLarge.context(), tooLarge.context());
                assertThat(events.sent.get()).isEqualTo(1);
            } finally {
                connection.close();
                Await.result(connection.closed());
            }
            // After Closed no event follows (RFC 9622 §11): such a Send is dropped, never thrown.
            connection.sendWithEvents(fits);
        }
    }

    @Test
    void receiveWithEventsIsAnsweredInCallOrderWithReceive() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Preconnection udp = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", peer.getLocalPort()))
                    .properties(TransportProperties.unreliableDatagram()).security(SecurityParameters.disabled()).build();
            List<String> received = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> three = new CompletableFuture<>();
            Connection connection = udp.initiate(new ConnectionEventHandler() {
                @Override
                public void received(Connection c, Message message) {
                    received.add(message.asString());
                    if (received.size() == 3) {
                        three.complete(null);
                    }
                }
            });
            try {
                Await.result(connection.ready());
                assertThatThrownBy(() -> connection.receiveWithEvents(0, 0))
                        .isInstanceOf(TransportServicesException.class);
                connection.receiveWithEvents(0, 1000);
                CompletableFuture<Message> second = connection.receive(0, 1000).toCompletableFuture();
                connection.receiveWithEvents(0, 1000);
                // The peer learns the client's address from its first datagram, then answers three times.
                connection.sendWithEvents(Message.of("hello"));
                java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[64], 64);
                peer.setSoTimeout(10_000);
                peer.receive(packet);
                for (String answer : List.of("one", "two", "three")) {
                    byte[] bytes = answer.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    peer.send(new java.net.DatagramPacket(bytes, bytes.length, packet.getSocketAddress()));
                }
                Await.result(three, Duration.ofSeconds(10));
                assertThat(received).containsExactly("one", "two", "three");
                assertThat(Await.result(second).asString()).isEqualTo("two");
            } finally {
                connection.close();
                Await.result(connection.closed());
            }
        }
    }

    /** Counts Sent and SendError; with a Message to repeat, sends it again from each Sent until the count is reached. */
    private static final class SentCounter implements ConnectionEventHandler {
        private final Message repeat;
        final AtomicInteger sent = new AtomicInteger();
        final List<MessageContext> wrongContexts = new CopyOnWriteArrayList<>();
        final List<TransportServicesException> errors = new CopyOnWriteArrayList<>();
        final List<MessageContext> errorContexts = new CopyOnWriteArrayList<>();
        private final AtomicInteger remaining = new AtomicInteger();
        private volatile boolean repeating;
        volatile CompletableFuture<Void> done = new CompletableFuture<>();

        SentCounter(Message repeat, int rounds) {
            this.repeat = repeat;
            this.repeating = repeat != null;
            remaining.set(rounds);
        }

        void expect(int events) {
            repeating = false;
            done = new CompletableFuture<>();
            remaining.set(events);
        }

        private void ended() {
            if (remaining.decrementAndGet() == 0) {
                done.complete(null);
            }
        }

        @Override
        public void sent(Connection connection, MessageContext context) {
            sent.incrementAndGet();
            if (repeat != null && context != repeat.context()) {
                wrongContexts.add(context);
            }
            boolean more = remaining.get() > 1;
            ended();
            if (repeating && more) {
                connection.sendWithEvents(repeat);
            }
        }

        @Override
        public void sendError(Connection connection, MessageContext context, TransportServicesException error) {
            errors.add(error);
            errorContexts.add(context);
            ended();
        }

        @Override
        public void connectionError(Connection connection, TransportServicesException error) {
            done.completeExceptionally(error);
        }
    }
}

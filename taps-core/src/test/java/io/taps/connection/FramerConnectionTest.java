package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.Preconnection;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.Framer;
import io.taps.framer.FramerContext;
import io.taps.framer.FramerFactory;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.framer.tlv.TlvFramer;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TapsTestSupport;
import io.taps.testing.TestPki;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Message framers end to end over real loopback sockets (RFC 9622 §9.1.2, RFC 9623 §6, C-13,
 * M-50..M-55, Q-3, Q-4, Q-13): the NEATPy thesis' framer experiment over TCP and TLS, interop with
 * a plain socket peer, bad input, framers that delay Ready or reject a candidate, listener-side
 * framers and UDP.
 */
class FramerConnectionTest extends TapsTestSupport {
    private static final int TIMEOUT_MS = 10_000;
    private static ExecutorService peers;

    @BeforeAll
    static void startPeers() {
        peers = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stopPeers() {
        peers.shutdownNow();
    }

    static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static Preconnection.Builder framed(FramerFactory... framers) {
        return taps.preconnection().security(SecurityParameters.disabled()).framer(framers);
    }

    // ------------------------------------------------------------------ the thesis experiment

    /** NEATPy thesis §6.2.4/§7.4: 70 KB messages, 1, 50 and 100 of them, length-prefix framer (M-53). */
    @ParameterizedTest
    @CsvSource({"false,1", "false,50", "false,100", "true,1", "true,50", "true,100"})
    void thesisFramerExperimentIsByteExact(boolean tls, int count) {
        Preconnection.Builder server = framed(LengthPrefixFramer.factory(4)).local(LocalEndpoint.ofAddress("127.0.0.1", 0));
        if (tls) {
            server.security(TlsConnectionTest.server(TestPki.SERVER));
        }
        try (Listener listener = server.build().listen(Echo::serve)) {
            Await.result(listener.ready());
            Preconnection.Builder client = framed(LengthPrefixFramer.factory(4))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()));
            if (tls) {
                client.security(TlsConnectionTest.client());
            }
            RecordingHandler events = new RecordingHandler();
            Connection connection = client.build().initiate(events);
            Await.result(connection.ready());
            assertThat(connection.protocolStack()).contains(tls ? "TLS/TCP" : "TCP");
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] message = random(70 * 1000, i);
                sent.add(message);
                connection.send(Message.of(message));
            }
            for (int i = 0; i < count; i++) {
                Message echoed = Await.result(connection.receive());
                assertThat(echoed.endOfMessage()).isTrue();
                assertThat(Arrays.equals(echoed.bytes(), sent.get(i))).as("message %d is byte-exact", i).isTrue();
            }
            connection.close();
            Await.result(connection.closed());
            assertThat(events.events()).filteredOn(e -> e.equals("Received")).hasSize(count);
            assertThat(events.events()).doesNotContain("ReceivedPartial");
        }
    }

    // ------------------------------------------------------------------ interop with a plain socket

    @Test
    void plainSocketPeerSpeakingFourByteBigEndianLengthPrefix() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<List<String>> peerSaw = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = server.accept()) {
                    socket.setSoTimeout(TIMEOUT_MS);
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                    List<String> seen = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        byte[] body = new byte[in.readInt()];
                        in.readFully(body);
                        String text = new String(body, StandardCharsets.UTF_8);
                        seen.add(text);
                        byte[] reply = text.toUpperCase().getBytes(StandardCharsets.UTF_8);
                        out.writeInt(reply.length);
                        out.write(reply);
                    }
                    out.flush();
                    return seen;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, peers);
            Connection connection = framed(LengthPrefixFramer.factory(4))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort())).build().initiate();
            for (String text : List.of("alpha", "", "gamma")) {
                connection.send(text);
            }
            assertThat(Await.result(connection.receive()).asString()).isEqualTo("ALPHA");
            assertThat(Await.result(connection.receive()).asString()).isEmpty();
            assertThat(Await.result(connection.receive()).asString()).isEqualTo("GAMMA");
            assertThat(Await.result(peerSaw)).containsExactly("alpha", "", "gamma");
            connection.abort();
        }
    }

    @Test
    void firstFramerAddedFramesFirstOnTheWire_M54() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> wire = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = server.accept()) {
                    socket.setSoTimeout(TIMEOUT_MS);
                    byte[] bytes = new byte[5];
                    new DataInputStream(socket.getInputStream()).readFully(bytes);
                    return bytes;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, peers);
            Preconnection pre = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort())).build();
            pre.addFramer(TlvFramer.factory(1, 1));
            pre.addFramer(LengthPrefixFramer.factory(1));
            assertThat(pre.framers()).hasSize(2);
            Connection connection = pre.initiate();
            connection.send(Message.of("hi"), TlvFramer.withType(MessageContext.create(), 3), true);
            // TLV (added first, nearest the application) frames first; the length prefix wraps its output.
            assertThat(Await.result(wire)).containsExactly(4, 3, 2, 'h', 'i');
            connection.abort();
        }
    }

    @Test
    void plainSocketClientToFramedListener() throws Exception {
        try (Listener listener = framed(LengthPrefixFramer.factory(4)).local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .build().listen(Echo::serve);
                Socket socket = new Socket()) {
            Await.result(listener.ready());
            socket.connect(new InetSocketAddress("127.0.0.1", listener.port()), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            // Two frames written in one piece and a third byte by byte: boundaries come from the prefix only.
            out.write(new byte[] {0, 0, 0, 2, 'h', 'i', 0, 0, 0, 3, 'y', 'o', 'u'});
            out.flush();
            byte[] third = {0, 0, 0, 1, '!'};
            for (byte b : third) {
                out.write(b);
                out.flush();
            }
            DataInputStream in = new DataInputStream(socket.getInputStream());
            List<String> echoed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] body = new byte[in.readInt()];
                in.readFully(body);
                echoed.add(new String(body, StandardCharsets.US_ASCII));
            }
            assertThat(echoed).containsExactly("hi", "you", "!");
        }
    }

    // ------------------------------------------------------------------ bad input

    /** A plain peer writes {@code bytes}, then ends its output, then waits for the client to go. */
    private CompletableFuture<Void> rawPeer(ServerSocket server, byte[] bytes) {
        return CompletableFuture.runAsync(() -> {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(TIMEOUT_MS);
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
                socket.shutdownOutput();
                InputStream in = socket.getInputStream();
                while (in.read() >= 0) {
                    // until the client closes
                }
            } catch (IOException ignored) {
                // the client may reset
            }
        }, peers);
    }

    @Test
    void oversizedLengthPrefixIsConnectionErrorAfterEarlierMessages() throws Exception {
        byte[] wire = {0, 0, 0, 3, 'o', 'n', 'e', 0, 0, 0, 3, 't', 'w', 'o', 0x7f, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, 1, 2, 3};
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = rawPeer(server, wire);
            RecordingHandler events = new RecordingHandler();
            Connection connection = framed(LengthPrefixFramer.builder(4).maxMessageSize(1 << 20).factory())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort())).build().initiate(events);
            assertThat(Await.result(connection.receive()).asString()).isEqualTo("one");
            assertThat(Await.result(connection.receive()).asString()).isEqualTo("two");
            // Nothing is left to receive, so the ConnectionError comes at once (a receive still
            // waiting would get ReceiveError with the same reason first).
            Await.result(events.terminal);
            assertThat(events.events()).endsWith("ConnectionError:MessageTooLarge");
            TransportServicesException error = events.errors().get(events.errors().size() - 1);
            assertThat(error.getMessage()).contains("2147483647").contains("1048576");
            assertThat(Await.failure(connection.receive())).isInstanceOf(TransportServicesException.class);
            Await.result(peer);
        }
    }

    @Test
    void truncatedFrameAtFinIsAnErrorAfterEarlierMessages() throws Exception {
        byte[] wire = {0, 0, 0, 2, 'o', 'k', 0, 0, 0, 9, 'c', 'u', 't'};
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = rawPeer(server, wire);
            RecordingHandler events = new RecordingHandler();
            Connection connection = framed(LengthPrefixFramer.factory(4))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort())).build().initiate(events);
            assertThat(Await.result(connection.receive()).asString()).isEqualTo("ok");
            Await.result(events.terminal);
            assertThat(events.events()).endsWith("ConnectionError:DeframingFailed");
            TransportServicesException error = events.errors().get(events.errors().size() - 1);
            assertThat(error.getMessage()).contains("6 bytes of it never arrived");
            assertThat(events.received()).extracting(Message::asString).containsExactly("ok");
            Await.result(peer);
        }
    }

    @Test
    void messageLargerThanTheReceiveMaxLengthArrivesInParts() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = rawPeer(server, new byte[] {0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o',
                    0, 0, 0, 2, 'o', 'k'});
            RecordingHandler events = new RecordingHandler();
            Connection connection = framed(LengthPrefixFramer.factory(4))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort())).build().initiate(events);
            Message first = Await.result(connection.receive(1, 3));
            assertThat(first.asString()).isEqualTo("hel");
            assertThat(first.endOfMessage()).isFalse();
            Message rest = Await.result(connection.receive());
            assertThat(rest.asString()).isEqualTo("lo");
            assertThat(rest.endOfMessage()).isTrue();
            Message next = Await.result(connection.receive());
            assertThat(next.asString()).isEqualTo("ok");
            assertThat(events.events()).containsSubsequence("ReceivedPartial", "ReceivedPartial(end)", "Received");
            connection.abort();
            Await.result(peer);
        }
    }

    @Test
    void cleanFinAfterWholeFramesEndsTheMessagesWithoutError() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = rawPeer(server, new byte[] {0, 0, 0, 1, 'x'});
            Connection connection = framed(LengthPrefixFramer.factory(4))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort())).build().initiate();
            assertThat(Await.result(connection.receive()).asString()).isEqualTo("x");
            // The peer's FIN is an empty final Message, as on an unframed stream; then ReceiveError.
            Message end = Await.result(connection.receive());
            assertThat(end.length()).isZero();
            assertThat(end.context().isFinal()).isTrue();
            TransportServicesException after = (TransportServicesException) Await.failure(connection.receive());
            assertThat(after.reason()).isEqualTo(ErrorReason.CONNECTION_CLOSED);
            connection.close();
            Await.result(connection.closed());
            Await.result(peer);
        }
    }

    /** Receives one Message in parts on {@code connection}; completes with its bytes and the part sizes. */
    static void collectParts(Connection connection, java.io.ByteArrayOutputStream all, List<Integer> sizes,
            CompletableFuture<byte[]> done) {
        connection.receive().whenComplete((part, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
                return;
            }
            sizes.add(part.length());
            all.writeBytes(part.bytes());
            if (part.endOfMessage()) {
                done.complete(all.toByteArray());
            } else {
                collectParts(connection, all, sizes, done);
            }
        });
    }

    @Test
    void hugeMessageArrivesInPartsWithoutBeingHeldWhole_M52() {
        CompletableFuture<byte[]> whole = new CompletableFuture<>();
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (Listener listener = framed(LengthPrefixFramer.factory(4)).local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .build().listen(c -> collectParts(c, new java.io.ByteArrayOutputStream(), sizes, whole))) {
            Await.result(listener.ready());
            Connection connection = framed(LengthPrefixFramer.factory(4))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            byte[] big = random(3 << 20, 5);
            connection.send(Message.of(big));
            byte[] received = Await.result(whole);
            assertThat(Arrays.equals(received, big)).as("byte-exact").isTrue();
            // Delivered in parts of about the receive high-water mark (1 MiB), never held whole.
            assertThat(sizes.size()).isGreaterThanOrEqualTo(2);
            assertThat(sizes).allSatisfy(size -> assertThat(size).isLessThan(2 << 20));
            connection.abort();
        }
    }

    // ------------------------------------------------------------------ Ready, rejection, listeners

    /** Sends "HELLO\n" at start and is ready once the peer's "HELLO\n" arrived; then steps aside. */
    static final class HelloFramer implements Framer {
        static final AtomicInteger STARTS = new AtomicInteger();

        @Override
        public void start(FramerContext context) {
            STARTS.incrementAndGet();
            context.send(Unpooled.copiedBuffer("HELLO\n", StandardCharsets.US_ASCII));
        }


        @Override
        public void handleReceivedData(FramerContext context) {
            ByteBuf hello = context.parse(6, 6);
            if (hello == null) {
                return;
            }
            if (!hello.toString(StandardCharsets.US_ASCII).equals("HELLO\n")) {
                context.failConnection(ErrorReason.PROTOCOL_FAILED, "the peer did not say HELLO");
                return;
            }
            context.advanceReceiveCursor(6);
            context.startPassthrough();
            context.makeConnectionReady();
        }
    }

    @Test
    void handshakeFramerDelaysReadyUntilThePeerAnswers_Q4() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        CompletableFuture<String> peerGot = new CompletableFuture<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> peer = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = server.accept()) {
                    socket.setSoTimeout(TIMEOUT_MS);
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    byte[] hello = new byte[6];
                    in.readFully(hello);
                    peerGot.complete(new String(hello, StandardCharsets.US_ASCII));
                    answer.await(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    socket.getOutputStream().write("HELLO\n".getBytes(StandardCharsets.US_ASCII));
                    byte[] frame = new byte[in.readInt()];
                    in.readFully(frame);
                    return frame;
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, peers);
            RecordingHandler events = new RecordingHandler();
            // Length-prefix nearest the application, the hello framer below it, nearest the network.
            Connection connection = framed(LengthPrefixFramer.factory(4), HelloFramer::new)
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort())).build().initiate(events);
            connection.send("after ready");
            assertThat(Await.result(peerGot)).isEqualTo("HELLO\n");
            // The transport is up and the framer started, but Ready waits for the peer's HELLO.
            assertThat(connection.ready().toCompletableFuture().isDone()).isFalse();
            assertThat(events.events()).doesNotContain("Ready");
            answer.countDown();
            Await.result(connection.ready());
            assertThat(new String(Await.result(peer), StandardCharsets.US_ASCII)).isEqualTo("after ready");
            connection.abort();
        }
    }

    /**
     * STARTTLS-like: exchanges a cleartext greeting ("HI\n" from the client, "OK\n" from the
     * server), then puts a 2-byte length-prefix framer below itself and steps aside.
     */
    static final class UpgradeFramer implements Framer {
        @Override
        public void start(FramerContext context) {
            if (context.role() == io.taps.properties.Role.INITIATE) {
                context.send(Unpooled.copiedBuffer("HI\n", StandardCharsets.US_ASCII));
            }
        }


        @Override
        public void handleReceivedData(FramerContext context) {
            ByteBuf greeting = context.parse(3, 3);
            if (greeting == null) {
                return;
            }
            String expected = context.role() == io.taps.properties.Role.INITIATE ? "OK\n" : "HI\n";
            if (!greeting.toString(StandardCharsets.US_ASCII).equals(expected)) {
                context.failConnection(ErrorReason.PROTOCOL_FAILED, "unexpected greeting");
                return;
            }
            context.advanceReceiveCursor(3);
            if (context.role() == io.taps.properties.Role.LISTEN) {
                context.send(Unpooled.copiedBuffer("OK\n", StandardCharsets.US_ASCII));
            }
            context.prependFramer(LengthPrefixFramer.factory(2).newFramer());
            context.startPassthrough();
            context.makeConnectionReady();
        }
    }

    @Test
    void prependFramerAfterAGreetingThenPassthrough() {
        try (Listener listener = framed(UpgradeFramer::new).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(Echo::serve)) {
            Await.result(listener.ready());
            Connection connection = framed(UpgradeFramer::new)
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            for (int i = 0; i < 10; i++) {
                connection.send("upgraded " + i);
            }
            for (int i = 0; i < 10; i++) {
                Message echoed = Await.result(connection.receive());
                assertThat(echoed.asString()).isEqualTo("upgraded " + i);
                assertThat(echoed.endOfMessage()).isTrue();
            }
            connection.abort();
        }
    }

    /** Rejects the candidate whose port is {@code rejected}. */
    static FramerFactory rejecting(int rejected) {
        return () -> new Framer() {
            @Override
            public void start(FramerContext context) {
                if (context.remoteEndpoint().orElseThrow().port().orElse(-1) == rejected) {
                    context.failConnection(ErrorReason.POLICY_PROHIBITED, "the test framer rejects port " + rejected);
                } else {
                    context.makeConnectionReady();
                }
            }


            @Override
            public void handleReceivedData(FramerContext context) {
                context.deliverAndAdvanceReceiveCursor(context.receivedContext(), context.readableBytes(), false);
            }
        };
    }

    @Test
    void framerRejectingTheOnlyCandidateIsEstablishmentErrorWithItsReason() {
        try (Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(Echo::serve)) {
            Await.result(listener.ready());
            RecordingHandler events = new RecordingHandler();
            Connection connection = framed(rejecting(listener.port()))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate(events);
            TransportServicesException error = (TransportServicesException) Await.failure(connection.ready());
            assertThat(error.reason()).isEqualTo(ErrorReason.POLICY_PROHIBITED);
            assertThat(error.getMessage()).contains("rejects port " + listener.port());
            assertThat(events.events()).containsExactly("EstablishmentError:PolicyProhibited");
        }
    }

    @Test
    void framerRejectingACandidateMovesOnToTheNext() {
        try (Listener first = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(Echo::serve);
                Listener second = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                        .listen(Echo::serve)) {
            Await.result(first.ready());
            Await.result(second.ready());
            Connection connection = framed(rejecting(first.port()))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", first.port()),
                            RemoteEndpoint.ofAddress("127.0.0.1", second.port()))
                    .build().initiate();
            Await.result(connection.ready());
            assertThat(connection.remoteEndpoint().orElseThrow().port()).hasValue(second.port());
            connection.abort();
        }
    }

    @Test
    void listenerRaisesConnectionReceivedOnlyAfterItsFramersAreReady_Q13() throws Exception {
        HelloFramer.STARTS.set(0);
        List<Connection> received = new CopyOnWriteArrayList<>();
        try (Listener listener = framed(LengthPrefixFramer.factory(4), HelloFramer::new)
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(connection -> {
                    received.add(connection);
                    Echo.serve(connection);
                })) {
            Await.result(listener.ready());
            try (Socket one = new Socket(); Socket two = new Socket()) {
                one.connect(new InetSocketAddress("127.0.0.1", listener.port()), TIMEOUT_MS);
                two.connect(new InetSocketAddress("127.0.0.1", listener.port()), TIMEOUT_MS);
                one.setSoTimeout(TIMEOUT_MS);
                DataInputStream in = new DataInputStream(one.getInputStream());
                byte[] hello = new byte[6];
                in.readFully(hello);
                assertThat(new String(hello, StandardCharsets.US_ASCII)).isEqualTo("HELLO\n");
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> HelloFramer.STARTS.get() == 2);
                assertThat(received).isEmpty();
                DataOutputStream out = new DataOutputStream(one.getOutputStream());
                out.write("HELLO\n".getBytes(StandardCharsets.US_ASCII));
                out.writeInt(4);
                out.write("ping".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                byte[] echo = new byte[in.readInt()];
                in.readFully(echo);
                assertThat(new String(echo, StandardCharsets.US_ASCII)).isEqualTo("ping");
                // Only the client that answered became a Connection; each got its own framer instances.
                assertThat(received).hasSize(1);
                assertThat(HelloFramer.STARTS.get()).isEqualTo(2);
            }
        }
    }

    /**
     * Messages a framer delivers before every framer is ready are held until the Connection adopts
     * the channel. A Receive issued before Ready must get them as the framer's Messages: before the
     * fix they were replayed before the link was set, so the Connection took them through its
     * unframed byte-stream path, which spun the event loop forever (Ready never came).
     */
    @Test
    void messagesHeldBeforeReadyKeepTheirBoundariesForAnEarlyReceive() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (Socket socket = server.accept()) {
                    socket.setSoTimeout(TIMEOUT_MS);
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    in.readFully(new byte[6]);
                    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                    all.writeBytes("HELLO\n".getBytes(StandardCharsets.US_ASCII));
                    all.writeBytes(new byte[] {0, 0, 0, 3, 'o', 'n', 'e', 0, 0, 0, 3, 't', 'w', 'o'});
                    // One write: the greeting and both Messages arrive together, before Ready.
                    socket.getOutputStream().write(all.toByteArray());
                    socket.getOutputStream().flush();
                    in.read();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, peers);
            Connection connection = framed(LengthPrefixFramer.factory(4), HelloFramer::new)
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort())).build().initiate();
            CompletableFuture<Message> first = connection.receive().toCompletableFuture();
            CompletableFuture<Message> second = connection.receive().toCompletableFuture();
            Await.result(connection.ready());
            assertThat(new String(Await.result(first).bytes(), StandardCharsets.US_ASCII)).isEqualTo("one");
            assertThat(Await.result(first).endOfMessage()).isTrue();
            assertThat(new String(Await.result(second).bytes(), StandardCharsets.US_ASCII)).isEqualTo("two");
            connection.abort();
            peer.exceptionally(ignored -> null).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A peer that connects to a framed listener and never completes the framer's handshake must not
     * be held forever: the accepted channel is closed after the listener's connTimeout (else the
     * TLS handshake timeout). Before the fix the half-open inbound connection, its channel and its
     * framer were kept until the peer went away.
     */
    @Test
    void listenerClosesAPeerThatNeverCompletesTheFramerHandshake() throws Exception {
        List<Connection> received = new CopyOnWriteArrayList<>();
        try (Listener listener = framed(LengthPrefixFramer.factory(4), HelloFramer::new)
                .properties(TransportProperties.builder().connTimeout(Duration.ofMillis(300)).build())
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(received::add)) {
            Await.result(listener.ready());
            try (Socket silent = new Socket()) {
                silent.connect(new InetSocketAddress("127.0.0.1", listener.port()), TIMEOUT_MS);
                silent.setSoTimeout(5_000);
                DataInputStream in = new DataInputStream(silent.getInputStream());
                byte[] hello = new byte[6];
                in.readFully(hello);
                assertThat(new String(hello, StandardCharsets.US_ASCII)).isEqualTo("HELLO\n");
                // Never answer HELLO: the listener gives up and closes its side.
                long start = System.nanoTime();
                int next;
                try {
                    next = in.read();
                } catch (java.net.SocketException reset) {
                    next = -1;
                }
                assertThat(next).isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
                assertThat(received).isEmpty();
            }
        }
    }

    // ------------------------------------------------------------------ TLV, selection, UDP

    @Test
    void tlvTypeRoundTripsEndToEnd() {
        try (Listener listener = framed(TlvFramer.factory(1, 4)).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(connection -> connection.receive().thenAccept(message -> connection.send(
                        Message.of(message.bytes()), TlvFramer.withType(MessageContext.create(),
                                TlvFramer.type(message.context()).orElseThrow() + 1), true)))) {
            Await.result(listener.ready());
            Connection connection = framed(TlvFramer.factory(1, 4))
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            connection.send(Message.of("typed"), TlvFramer.withType(MessageContext.create(), 41), true);
            Message reply = Await.result(connection.receive());
            assertThat(reply.asString()).isEqualTo("typed");
            assertThat(TlvFramer.type(reply.context())).hasValue(42);
            connection.abort();
        }
    }

    @Test
    void aFramerMakesTcpSatisfyPreserveMsgBoundaries_Q3() {
        Preconnection withoutFramer = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", 9))
                .properties(TransportProperties.reliableMessage()).build();
        assertThatThrownBy(withoutFramer::initiate).isInstanceOf(TransportServicesException.class)
                .satisfies(e -> assertThat(((TransportServicesException) e).reason()).isEqualTo(ErrorReason.NO_CANDIDATES));
        try (Listener listener = framed(LengthPrefixFramer.factory(4)).properties(TransportProperties.reliableMessage())
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(Echo::serve)) {
            Await.result(listener.ready());
            assertThat(listener.protocolStack()).isEqualTo("TCP");
            Preconnection pre = taps.preconnection().security(SecurityParameters.disabled()).properties(TransportProperties.reliableMessage())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build();
            pre.addFramer(LengthPrefixFramer.factory(4));
            Connection connection = pre.initiate();
            Await.result(connection.ready());
            assertThat(connection.protocolStack()).contains("TCP");
            assertThat(connection.getProperties().get("preserveMsgBoundaries")).isEqualTo(true);
            connection.send("m1");
            connection.send("m2");
            assertThat(Await.result(connection.receive()).asString()).isEqualTo("m1");
            assertThat(Await.result(connection.receive()).asString()).isEqualTo("m2");
            connection.abort();
        }
    }

    @Test
    void datagramStacksSendMessagesUnframed() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            peer.setSoTimeout(TIMEOUT_MS);
            Connection connection = framed(LengthPrefixFramer.factory(4))
                    .properties(TransportProperties.unreliableDatagram())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", peer.getLocalPort())).build().initiate();
            Await.result(connection.ready());
            assertThat(connection.protocolStack()).contains("UDP");
            Await.result(connection.send("datagram"));
            DatagramPacket packet = new DatagramPacket(new byte[100], 100);
            peer.receive(packet);
            assertThat(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII))
                    .isEqualTo("datagram");
            connection.abort();
        }
    }

    @Test
    void tlsWithSecurityParametersAndFramersTogether() {
        SecurityParameters serverSecurity = TlsConnectionTest.server(TestPki.SERVER);
        try (Listener listener = framed(TlvFramer.factory(2, 2), LengthPrefixFramer.factory(2)).security(serverSecurity)
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(Echo::serve)) {
            Await.result(listener.ready());
            Connection connection = framed(TlvFramer.factory(2, 2), LengthPrefixFramer.factory(2))
                    .security(TlsConnectionTest.client())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            for (int i = 0; i < 20; i++) {
                connection.send("chain " + i);
            }
            for (int i = 0; i < 20; i++) {
                assertThat(Await.result(connection.receive()).asString()).isEqualTo("chain " + i);
            }
            connection.abort();
        }
    }
}

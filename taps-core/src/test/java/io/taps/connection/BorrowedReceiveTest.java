package io.taps.connection;

import static io.taps.connection.BorrowedFixtures.jdkClient;
import static io.taps.connection.BorrowedFixtures.payload;
import static io.taps.connection.BorrowedFixtures.readFrame;
import static io.taps.connection.BorrowedFixtures.writeFrame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Listener;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.connection.BorrowedFixtures.Borrowing;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.MessageProperties;
import io.taps.properties.TransportProperties;
import io.taps.reliability.NettyLeakDetection;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.PlainTcpPeer;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The data paths of {@code receiveBorrowedWithEvents} against JDK sockets (not taps, not Netty):
 * whatever taps lends a handler, and whatever a handler sends on from its borrowed Messages, must
 * arrive byte for byte, although those bytes stay in taps' receive buffers (no copy) and the loan
 * ends as each handler returns. Proven for the length-prefix framer with Messages of 1 B to 100 KB
 * delivered whole or in parts, for a stream of small writes (which taps coalesces into shared
 * chunks that it keeps filling while earlier slices of them are still being sent), for UDP
 * datagrams whole and cut by maxLength, for a proxy that forwards each borrowed Message on a
 * second Connection, and for InitiateWithSend of a borrowed Message (which must keep a copy: the
 * Connection sends it long after the handler returned). What comes straight from a read must be
 * borrowed (what a handler's own Receive finds already queued is an owned copy, as
 * Connection#receiveBorrowedWithEvents documents), and Netty's leak detector (PARANOID) must find
 * no buffer left unreleased.
 */
@ExtendWith(NettyLeakDetection.class)
class BorrowedReceiveTest extends PerTestTransportServices {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Framed sizes: the edges of taps' copy thresholds (1 KiB, 2 KiB, 64 KiB) and up to 100 KB. */
    private static final int[] EDGE_SIZES = {1, 2, 7, 100, 1023, 1024, 1025, 2047, 2048, 2049, 4096, 16_384,
        65_535, 65_536, 65_537, 100_000, 102_400};


    @ParameterizedTest(name = "minIncompleteLength {0}")
    @ValueSource(ints = {1, Integer.MAX_VALUE})
    void framedMessagesOfOneByteTo100KbAreEchoedFromBorrowedMessagesByteForByte(int minIncompleteLength)
            throws Exception {
        Borrowing echo = new Borrowing((connection, message) -> {
            // A part (minIncompleteLength 1) is sent as a part: the framer holds it until its end.
            connection.sendWithEvents(message);
            connection.receiveBorrowedWithEvents(minIncompleteLength, Integer.MAX_VALUE);
        });
        Random random = new Random(41);
        List<byte[]> frames = new ArrayList<>();
        for (int size : EDGE_SIZES) {
            frames.add(payload(random, size));
        }
        for (int i = 0; i < 200; i++) {
            // Log-uniform from 1 B to 100 KB, so small and large sizes are both common.
            frames.add(payload(random, (int) Math.round(Math.exp(random.nextDouble() * Math.log(102_400)))));
        }
        try (Listener listener = BorrowedFixtures.framedListener(taps, echo, minIncompleteLength);
                Socket client = jdkClient(listener.port())) {
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                try {
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                            client.getOutputStream(), 1 << 16));
                    for (byte[] frame : frames) {
                        writeFrame(out, frame);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            DataInputStream in = new DataInputStream(client.getInputStream());
            for (int i = 0; i < frames.size(); i++) {
                byte[] echoed = readFrame(in);
                assertThat(echoed.length).as("length of echoed frame %d", i).isEqualTo(frames.get(i).length);
                assertThat(Arrays.equals(echoed, frames.get(i))).as("bytes of echoed frame %d (%d B)", i, echoed.length)
                        .isTrue();
            }
            Await.result(written, WAIT);
        }
        assertThat(echo.failures).isEmpty();
        assertThat(echo.deliveries.get()).isGreaterThanOrEqualTo(frames.size());
        assertThat(echo.notBorrowed.get()).as("deliveries that were not borrowed").isZero();
        if (minIncompleteLength == Integer.MAX_VALUE) {
            assertThat(echo.partials.get()).as("whole Messages only").isZero();
        } else {
            // A 100 KB Message spans reads (of at most 64 KiB): its first part comes before its end.
            assertThat(echo.partials.get()).as("parts echoed as parts").isPositive();
        }
    }

    /**
     * Unframed stream reads under 1 KiB are copied into a coalescing chunk that later reads keep
     * filling. First a JDK client (TCP_NODELAY) writes 300 pieces of 1 to 600 bytes one at a time,
     * each echoed before the next: every read lands in the chunk and is lent as a slice of it,
     * which the handler echoes (every one of these deliveries must be borrowed). Then it writes
     * about 2 MB in such pieces at once and half-closes, while each Receive asks for a random
     * maxLength, so that lent slices start and end anywhere (what the handler's own Receive finds
     * queued comes as an owned copy). The echo must match byte for byte and by SHA-256.
     */
    @Test
    void smallReadsCoalescedIntoSharedChunksAreEchoedIntact() throws Exception {
        Random limits = new Random(43);
        AtomicReference<MessageContext> streamContext = new AtomicReference<>();
        AtomicBoolean burst = new AtomicBoolean();
        AtomicInteger lockstepOwned = new AtomicInteger();
        Borrowing echo = new Borrowing((connection, message) -> {
            if (!burst.get() && !message.isBorrowed()) {
                lockstepOwned.incrementAndGet();
            }
            streamContext.compareAndSet(null, message.context());
            // The parts go out as parts of one Message, so under one context (see BorrowedEchoInteropTest).
            connection.sendWithEvents(message.context() == streamContext.get() ? message
                    : message.withContext(streamContext.get()));
            if (message.endOfStream()) {
                connection.close();
            } else {
                connection.receiveBorrowedWithEvents(1, burst.get() ? 1 + limits.nextInt(4096) : Integer.MAX_VALUE);
            }
        });
        Random random = new Random(44);
        try (Listener listener = BorrowedFixtures.streamListener(taps, echo);
                Socket client = jdkClient(listener.port())) {
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            for (int i = 0; i < 300; i++) {
                byte[] piece = payload(random, 1 + random.nextInt(600));
                out.write(piece);
                assertThat(in.readNBytes(piece.length)).as("echo of piece %d (%d B)", i, piece.length).isEqualTo(piece);
            }
            int lockstepDeliveries = echo.deliveries.get();
            burst.set(true);
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            List<byte[]> writes = new ArrayList<>();
            long total = 0;
            while (total < 2 << 20) {
                byte[] write = payload(random, 1 + random.nextInt(600));
                writes.add(write);
                sent.update(write);
                total += write.length;
            }
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                try {
                    for (byte[] write : writes) {
                        out.write(write);
                    }
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            MessageDigest echoed = MessageDigest.getInstance("SHA-256");
            long echoedBytes = 0;
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                echoed.update(buffer, 0, n);
                echoedBytes += n;
            }
            Await.result(written, WAIT);
            assertThat(echoedBytes).as("bytes echoed of the burst").isEqualTo(total);
            assertThat(echoed.digest()).as("SHA-256 of the burst's echo").isEqualTo(sent.digest());
            assertThat(lockstepDeliveries).as("deliveries of the 300 pieces").isGreaterThanOrEqualTo(300);
        }
        assertThat(echo.failures).isEmpty();
        assertThat(lockstepOwned.get()).as("pieces read one at a time that were not borrowed").isZero();
    }

    /**
     * A UDP Listener (unreliable datagrams) echoes borrowed datagrams to a JDK DatagramSocket: each
     * whole datagram is sent back as it was lent; with maxLength 1000 a larger one arrives in parts,
     * which the handler copies (keep) and joins before it answers. Its first part is lent (it comes
     * from the read); the rest, found queued by the Receive the handler makes, are owned copies, as
     * {@code receiveBorrowedWithEvents} documents, and must say so ({@code isBorrowed()}).
     */
    @ParameterizedTest(name = "maxLength {0}")
    @ValueSource(ints = {Integer.MAX_VALUE, 1000})
    void udpDatagramsAreEchoedFromBorrowedMessages(int maxLength) throws Exception {
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        List<String> wronglyLent = new CopyOnWriteArrayList<>();
        Borrowing echo = new Borrowing((connection, message) -> {
            boolean firstPart = joined.size() == 0;
            if (message.isBorrowed() != firstPart) {
                wronglyLent.add((firstPart ? "a first part" : "a later part") + " with isBorrowed() "
                        + message.isBorrowed());
            }
            if (firstPart && message.endOfMessage()) {
                connection.sendWithEvents(message);
            } else {
                joined.writeBytes(message.keep().bytes());
                if (message.endOfMessage()) {
                    connection.sendWithEvents(Message.wrap(joined.toByteArray()));
                    joined.reset();
                }
            }
            connection.receiveBorrowedWithEvents(1, maxLength);
        });
        Random random = new Random(45);
        List<byte[]> datagrams = new ArrayList<>();
        for (int size : new int[] {1, 10, 999, 1000, 1001, 1472, 2048, 4000, 8192, 32_768, 65_507}) {
            datagrams.add(payload(random, size));
        }
        for (int i = 0; i < 200; i++) {
            datagrams.add(payload(random, 1 + random.nextInt(9000)));
        }
        try (Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.unreliableDatagram()).build()
                .listen(connection -> {
                    connection.setEventHandler(echo);
                    connection.receiveBorrowedWithEvents(1, maxLength);
                });
                DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Await.result(listener.ready());
            assertThat(listener.protocolStack()).isEqualTo("UDP");
            client.connect(InetAddress.getLoopbackAddress(), listener.port());
            client.setSoTimeout(BorrowedFixtures.SOCKET_TIMEOUT_MS);
            byte[] buffer = new byte[65_535];
            // One at a time: loopback does not drop what is answered before the next is sent.
            for (int i = 0; i < datagrams.size(); i++) {
                byte[] datagram = datagrams.get(i);
                client.send(new DatagramPacket(datagram, datagram.length));
                DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                client.receive(reply);
                assertThat(Arrays.copyOf(reply.getData(), reply.getLength())).as("echo of datagram %d (%d B)", i,
                        datagram.length).isEqualTo(datagram);
            }
        }
        assertThat(echo.failures).isEmpty();
        assertThat(wronglyLent).as("parts lent or copied against the rule").isEmpty();
        if (maxLength == 1000) {
            assertThat(echo.partials.get()).as("datagrams over 1000 B arrived in parts").isPositive();
            assertThat(echo.notBorrowed.get()).as("later parts, owned copies").isPositive();
        } else {
            assertThat(echo.notBorrowed.get()).as("whole datagrams that were not borrowed").isZero();
            assertThat(echo.deliveries.get()).isEqualTo(datagrams.size());
        }
    }

    /**
     * A proxy: taps Connection A (accepted from a JDK client) receives borrowed parts of the
     * client's 4 MB stream and sends each, from its handler, on taps Connection B to a JDK sink,
     * with {@code send(message, context, endOfMessage)}; B may be on another event loop. The client
     * writes its first 16 KiB at once, which A may forward before B is Ready (they then wait in B's
     * queue after their loan ended), and the rest only once B is Ready: Sends queued before Ready
     * beyond what the socket takes at once stall after Ready (a send-path defect outside the
     * borrowed path, which a Close before Ready turns into lost data). The sink must get exactly
     * the client's bytes.
     */
    @Test
    void aProxyForwardsBorrowedMessagesOnASecondConnectionIntact() throws Exception {
        int size = 4 << 20;
        byte[] data = payload(new Random(46), size);
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        expected.update(data);
        try (ServerSocket sink = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> sinkDigest = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = sink.accept()) {
                    socket.setSoTimeout(BorrowedFixtures.SOCKET_TIMEOUT_MS);
                    return MessageDigest.getInstance("SHA-256").digest(PlainTcpPeer.readToEnd(socket.getInputStream()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            List<String> failures = new CopyOnWriteArrayList<>();
            MessageContext forwarded = MessageContext.create();
            AtomicReference<Connection> outbound = new AtomicReference<>();
            Borrowing proxy = new Borrowing((inbound, message) -> {
                Connection b = outbound.get();
                b.send(message, forwarded, message.endOfMessage()).whenComplete((context, failure) -> {
                    if (failure != null) {
                        failures.add("forwarding failed: " + failure);
                    }
                });
                if (message.endOfStream()) {
                    b.close();
                    inbound.close();
                } else {
                    inbound.receiveBorrowedWithEvents(1, Integer.MAX_VALUE);
                }
            });
            try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                    .security(SecurityParameters.disabled()).build()
                    .listen(inbound -> {
                        outbound.set(taps.preconnection()
                                .remote(RemoteEndpoint.ofAddress("127.0.0.1", sink.getLocalPort()))
                                .security(SecurityParameters.disabled()).build()
                                .initiate(new ConnectionEventHandler() { }));
                        inbound.setEventHandler(proxy);
                        inbound.receiveBorrowedWithEvents(1, Integer.MAX_VALUE);
                    })) {
                Await.result(listener.ready());
                try (Socket client = jdkClient(listener.port())) {
                    OutputStream out = client.getOutputStream();
                    // A small first part (its Send copies it, maybe before B has a link), up to 16 KiB.
                    out.write(data, 0, 100);
                    out.flush();
                    out.write(data, 100, 16 * 1024 - 100);
                    out.flush();
                    await().atMost(WAIT).until(() -> outbound.get() != null);
                    Await.result(outbound.get().ready(), WAIT);
                    out.write(data, 16 * 1024, data.length - 16 * 1024);
                    client.shutdownOutput();
                    // The proxy closes A once it forwarded the end: the client reads its FIN.
                    assertThat(client.getInputStream().read()).as("the proxy sends nothing back").isEqualTo(-1);
                }
                assertThat(Await.result(sinkDigest, WAIT)).as("SHA-256 of what reached the sink")
                        .isEqualTo(expected.digest());
                Await.result(outbound.get().closed(), WAIT);
            }
            assertThat(failures).isEmpty();
            assertThat(proxy.failures).isEmpty();
            assertThat(proxy.deliveries.get()).as("deliveries").isPositive();
            assertThat(proxy.notBorrowed.get()).as("deliveries that were not borrowed").isZero();
        }
    }

    /**
     * InitiateWithSend of a borrowed Message from its handler: the new Connection sends it only
     * once established, long after the handler returned, so taps must keep a copy; the peer gets
     * exactly the bytes lent, once. Marked safelyReplayable, the Message is also offered as 0-RTT
     * early data (TCP Fast Open on epoll), which the racing attempt reads later on its event loop.
     */
    @ParameterizedTest(name = "safelyReplayable {0}")
    @ValueSource(booleans = {false, true})
    void initiateWithSendOfABorrowedMessageSendsItsBytesAfterTheLoanEnded(boolean safelyReplayable) throws Exception {
        byte[] body = payload(new Random(47), 3000);
        CompletableFuture<byte[]> peerGot = new CompletableFuture<>();
        try (PlainTcpPeer peer = PlainTcpPeer.start(PlainTcpPeer.collect(peerGot::complete))) {
            CompletableFuture<Connection> initiated = new CompletableFuture<>();
            MessageContext replayable = MessageContext.of(MessageProperties.builder()
                    .safelyReplayable(true).build());
            ConnectionEventHandler closeOnceSent = new ConnectionEventHandler() {
                @Override
                public void sent(Connection c, MessageContext context) {
                    initiated.complete(c);
                    c.close();
                }
            };
            Borrowing handler = new Borrowing((connection, message) -> taps.preconnection()
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", peer.port()))
                    .security(SecurityParameters.disabled()).build()
                    .initiateWithSend(safelyReplayable ? message.withContext(replayable) : message, closeOnceSent));
            // Whole Messages only: a part would be a Message of its own to InitiateWithSend.
            try (Listener listener = BorrowedFixtures.framedListener(taps, handler, Integer.MAX_VALUE);
                    Socket client = jdkClient(listener.port())) {
                DataOutputStream out = new DataOutputStream(client.getOutputStream());
                writeFrame(out, body);
                out.flush();
                byte[] got = Await.result(peerGot, WAIT);
                assertThat(got.length).as("bytes the initiated Connection sent").isEqualTo(body.length);
                assertThat(Arrays.mismatch(got, body)).as("first byte that differs").isEqualTo(-1);
                Await.result(Await.result(initiated, WAIT).closed(), WAIT);
            }
            assertThat(handler.failures).isEmpty();
            assertThat(handler.deliveries.get()).isEqualTo(1);
            assertThat(handler.notBorrowed.get()).isZero();
        }
    }
}

package io.taps.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.endpoint.LocalEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Receive memory is bounded in bytes of memory, not of payload (issue 15, item 1): peers that
 * send 1-byte TCP segments to a Listener whose application does not receive used to pin about
 * 170 bytes of heap and direct memory per payload byte (500 peers: 3.4 MiB of payload held as
 * 382 MiB of heap plus 202 MiB of direct memory). The peers are plain JDK sockets, not taps or Netty.
 */
@ExtendWith(NettyLeakDetection.class)
class ReceiveMemoryTest extends TapsTestSupport {
    /** The per-Connection receive budget, in bytes of memory (ReceivePath.RECEIVE_HIGH_WATER). */
    private static final long BUDGET = 1 << 20;
    private static final int PEERS = 500;
    /** Bytes each peer sends, one byte per segment. */
    private static final int SEGMENTS = 600;
    private static final int SENDER_THREADS = 4;
    /** Free chunks Netty's allocator may keep for reuse after serving many concurrent reads. */
    private static final long ALLOCATOR_CACHE = 4L << 20;

    @Test
    void fiveHundredPeersSendingOneByteSegmentsCostMemoryInProportionToTheirPayload() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        List<Socket> peers = new ArrayList<>();
        try (Listener listener = listener(accepted)) {
            for (int i = 0; i < PEERS; i++) {
                Socket peer = new Socket();
                peer.setTcpNoDelay(true);
                peer.connect(new InetSocketAddress("127.0.0.1", listener.port()), 10_000);
                peers.add(peer);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> accepted.size() == PEERS);
            MemoryProbe.Snapshot before = MemoryProbe.measure();

            // Round robin over the peers, one byte per write: every segment arrives on its own.
            ExecutorService threads = Executors.newFixedThreadPool(SENDER_THREADS);
            try {
                List<CompletableFuture<Void>> senders = new ArrayList<>();
                for (int t = 0; t < SENDER_THREADS; t++) {
                    List<Socket> mine = peers.subList(t * PEERS / SENDER_THREADS, (t + 1) * PEERS / SENDER_THREADS);
                    senders.add(CompletableFuture.runAsync(() -> sendOneByteSegments(mine), threads));
                }
                Await.result(CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)), Duration.ofSeconds(60));
            } finally {
                threads.shutdownNow();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> accepted.stream()
                    .allMatch(connection -> connection.transferReport().bytesReceived() == SEGMENTS));

            MemoryProbe.Snapshot grown = MemoryProbe.measure().minus(before);
            long perConnection = grown.total() / PEERS;
            System.out.printf("%d peers x %d one-byte segments held unread: %s; %,d B per connection%n",
                    PEERS, SEGMENTS, grown, perConnection);
            // Unread data is held on the heap, compacted: a few times its size at most.
            assertThat(grown.heapAfterGc() / PEERS)
                    .as("heap per connection holding %d payload bytes (%s)", SEGMENTS, grown)
                    .isLessThanOrEqualTo(4L * SEGMENTS);
            // No received buffer stays pinned: what direct memory grew is the allocator's cache of
            // free chunks for the reads in flight, which does not grow with what is held.
            assertThat(grown.total())
                    .as("memory of %d connections holding %d payload bytes each (%s)", PEERS, SEGMENTS, grown)
                    .isLessThanOrEqualTo(PEERS * 4L * SEGMENTS + ALLOCATOR_CACHE);
            assertThat(perConnection).isLessThanOrEqualTo(BUDGET);

            // Nothing was lost on the way: the application can still read every byte.
            Connection first = accepted.get(0);
            byte[] read = Await.result(first.receive(SEGMENTS, SEGMENTS)).bytes();
            assertThat(read).hasSize(SEGMENTS);
            for (int i = 0; i < SEGMENTS; i++) {
                assertThat(read[i]).isEqualTo((byte) i);
            }
        } finally {
            for (Socket peer : peers) {
                peer.close();
            }
            accepted.forEach(Connection::abort);
        }
    }

    /**
     * A peer streams 1-byte Messages (length prefix 1) in large writes to an application that does
     * not receive: each Message used to be held as a slice pinning the read buffer and counted as 1
     * byte, so reading paused only after a million of them. Now each costs its memory and reading
     * pauses once they take the budget. The test samples memory until the Connection stops taking
     * Messages (reading paused), asserting the budget at every sample.
     */
    @Test
    void tinyFramedMessagesPauseReadingOnceTheirMemoryReachesTheBudget() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Listener listener = oneByteFramedListener(accepted);
        int messages = 16_000_000;
        byte[] stream = oneByteMessages(messages);
        try (listener; Socket peer = new Socket()) {
            peer.connect(new InetSocketAddress("127.0.0.1", listener.port()), 10_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == 1);
            Connection connection = accepted.get(0);
            MemoryProbe.Snapshot before = MemoryProbe.measure();
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    peer.getOutputStream().write(stream);
                } catch (IOException closedAtTheEnd) {
                    // The test closes the socket while this write waits on a paused reader.
                }
            }, runnable -> new Thread(runnable, "tiny-message-sender").start());

            // Samples memory every 2,000 more Messages, until reading has paused: no Message taken
            // for a second (polled, never asserted as a speed) after at least 4,000 of them.
            AtomicLong measuredAt = new AtomicLong();
            AtomicLong last = new AtomicLong(-1);
            AtomicLong lastChange = new AtomicLong(System.nanoTime());
            AtomicReference<MemoryProbe.Snapshot> grown = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                long received = connection.transferReport().messagesReceived();
                if (received != last.getAndSet(received)) {
                    lastChange.set(System.nanoTime());
                }
                if (received - measuredAt.get() >= 2_000) {
                    measuredAt.set(received);
                    grown.set(MemoryProbe.measure().minus(before));
                    assertThat(grown.get().total())
                            .as("memory of %,d unread 1-byte Messages (%s)", received, grown.get())
                            .isLessThanOrEqualTo(BUDGET + BUDGET / 2);
                }
                return sender.isDone() || received >= 4_000
                        && System.nanoTime() - lastChange.get() > TimeUnit.SECONDS.toNanos(1);
            });
            MemoryProbe.Snapshot paused = MemoryProbe.measure().minus(before);
            long held = connection.transferReport().messagesReceived();
            System.out.printf("1-byte framed Messages held unread when reading paused: %,d; %s%n", held, paused);
            assertThat(sender).as("reading paused before the peer could send everything").isNotDone();
            assertThat(paused.total()).as("memory of %,d unread 1-byte Messages (%s)", held, paused)
                    .isLessThanOrEqualTo(BUDGET + BUDGET / 2);
            // Each costs about 113 bytes (1 of payload, the rest per-Message overhead): the budget
            // holds about 9,000; pausing far earlier would mean the accounting overcharges.
            assertThat(held).as("Messages taken before reading paused").isGreaterThan(4_000);
            connection.abort();
        }
    }

    /**
     * While reading is paused the framer parses nothing more, so the peer's end of input, which
     * may arrive meanwhile, must wait behind the Messages still unparsed: every Message is received,
     * in order, and then the end (an empty final Message).
     */
    @Test
    void aPausedFramedConnectionDeliversEveryMessageAndThenThePeersEnd() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        Listener listener = oneByteFramedListener(accepted);
        int messages = 30_000;
        byte[] stream = oneByteMessages(messages);
        try (listener; Socket peer = new Socket()) {
            peer.connect(new InetSocketAddress("127.0.0.1", listener.port()), 10_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == 1);
            Connection connection = accepted.get(0);
            peer.getOutputStream().write(stream);
            peer.shutdownOutput();
            AtomicLong last = new AtomicLong(-1);
            AtomicLong lastChange = new AtomicLong(System.nanoTime());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                long received = connection.transferReport().messagesReceived();
                if (received != last.getAndSet(received)) {
                    lastChange.set(System.nanoTime());
                }
                return received >= 4_000 && System.nanoTime() - lastChange.get() > TimeUnit.SECONDS.toNanos(1);
            });
            assertThat(last.get()).as("reading paused before all Messages were taken").isLessThan(messages);

            for (int i = 0; i < messages; i++) {
                Message message = Await.result(connection.receive());
                assertThat(message.context().isFinal()).as("Message %d is not the end", i).isFalse();
                assertThat(message.bytes()).as("Message %d", i).containsExactly((byte) i);
            }
            Message end = Await.result(connection.receive());
            assertThat(end.context().isFinal()).isTrue();
            assertThat(end.length()).isZero();
            connection.close();
            Await.result(connection.closed());
        }
    }

    private static Listener listener(List<Connection> accepted) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(SecurityParameters.disabled()).build()
                .listen(accepted::add);
        Await.result(listener.ready());
        return listener;
    }

    private static void sendOneByteSegments(List<Socket> peers) {
        try {
            List<OutputStream> outs = new ArrayList<>();
            for (Socket peer : peers) {
                outs.add(peer.getOutputStream());
            }
            for (int i = 0; i < SEGMENTS; i++) {
                for (OutputStream out : outs) {
                    out.write(i);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A cleartext Listener on 127.0.0.1 whose framer has a 1-byte length prefix; accepted Connections go to {@code accepted}. */
    private Listener oneByteFramedListener(List<Connection> accepted) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(SecurityParameters.disabled()).framer(LengthPrefixFramer.factory(1)).build()
                .listen(accepted::add);
        Await.result(listener.ready());
        return listener;
    }

    /** {@code messages} framed 1-byte Messages (1-byte length prefix 1, then the byte {@code i}), back to back. */
    private static byte[] oneByteMessages(int messages) {
        byte[] stream = new byte[2 * messages];
        for (int i = 0; i < messages; i++) {
            stream[2 * i] = 1;
            stream[2 * i + 1] = (byte) i;
        }
        return stream;
    }
}

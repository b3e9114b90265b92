package io.taps.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.ListenerEventHandler;
import io.taps.Message;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A UDP Listener under a datagram flood costs bounded memory (issue 15, item 2): every datagram
 * used to keep a 64 KiB receive buffer while the per-remote limit counted payload, and every new
 * source address and port made a Connection, without any cap. The peers are plain JDK sockets;
 * all of 127/8 is loopback, so sources 127.0.x.y stand in for spoofed addresses.
 *
 * <p>UDP gives no acknowledgement, so each test knows the Listener has processed a flood by a
 * probe: the application receives on the probe remote's Connection, and once the probe's datagram
 * sent after the flood arrives, everything before it on the socket was processed.
 */
@ExtendWith(NettyLeakDetection.class)
class DatagramFloodTest extends TapsTestSupport {
    /** The Listener's default cap on remotes with a Connection (DatagramSockets.DEFAULT_MAX_REMOTES). */
    private static final int DEFAULT_MAX_REMOTES = 1024;
    /** Per-Connection datagram limits (ReceivePath.DATAGRAM_QUEUE_COUNT, DATAGRAM_QUEUE_MEMORY). */
    private static final int QUEUE_COUNT = 4096;
    private static final long QUEUE_MEMORY = 1 << 20;
    /** Memory of datagrams queued for all remotes of one Listener socket (DatagramSockets.RECEIVE_BUDGET). */
    private static final long SHARED_BUDGET = 64L << 20;

    private final List<Connection> accepted = new CopyOnWriteArrayList<>();
    private final List<TransportServicesException> limits = new CopyOnWriteArrayList<>();
    private final Map<InetSocketAddress, BlockingQueue<Message>> probes = new ConcurrentHashMap<>();

    @AfterEach
    void abortAccepted() {
        accepted.forEach(Connection::abort);
    }

    @Test
    void floodFromThousandsOfSourcesStopsAtTheCapAndCostsBoundedMemory() throws Exception {
        try (Listener listener = listener(TransportProperties.unreliableDatagram());
                DatagramSocket probe = socket("127.0.0.1")) {
            BlockingQueue<Message> probed = probe(probe);
            sendAndAwait(probe, listener, probed, "first");
            MemoryProbe.Snapshot before = MemoryProbe.measure();

            int sources = 2 * DEFAULT_MAX_REMOTES;
            byte[] one = {42};
            for (int i = 0; i < sources; i++) {
                // Two source ports on each of 1024 addresses 127.0.1.2 .. 127.0.5.5.
                String address = "127.0." + (1 + i / 2 / 250) + "." + (2 + i / 2 % 250);
                try (DatagramSocket source = socket(address)) {
                    source.send(new DatagramPacket(one, 1, target(listener)));
                    source.send(new DatagramPacket(one, 1, target(listener)));
                }
                if (i % 32 == 31) {
                    // Keeps the socket's kernel queue short, so no datagram is lost before taps sees it.
                    sendAndAwait(probe, listener, probed, "paced " + i);
                }
            }
            sendAndAwait(probe, listener, probed, "after the flood");

            MemoryProbe.Snapshot grown = MemoryProbe.measure().minus(before);
            System.out.printf("%d sources x 2 one-byte datagrams: %d Connections, %s%n", sources, accepted.size(), grown);
            assertThat(accepted).as("Connections: the probe's and up to the cap").hasSize(DEFAULT_MAX_REMOTES);
            assertThat(limits).as("the Listener is told once, not per datagram").hasSize(1);
            assertThat(limits.get(0).getMessage()).contains("1024").contains("maxConcurrentConnections");
            // A Connection's own objects plus its two queued datagrams: well under 16 KiB each.
            assertThat(grown.total()).as("memory of %d Connections (%s)", accepted.size(), grown)
                    .isLessThanOrEqualTo(DEFAULT_MAX_REMOTES * (16L << 10));
        }
    }

    @Test
    void aClosedPassiveDatagramConnectionFreesItsSlot() throws Exception {
        TransportProperties capOfTwo = TransportProperties.unreliableDatagram().toBuilder()
                .maxConcurrentConnections(2).build();
        try (Listener listener = listener(capOfTwo);
                DatagramSocket probe = socket("127.0.0.1");
                DatagramSocket second = socket("127.0.0.2");
                DatagramSocket third = socket("127.0.0.3")) {
            BlockingQueue<Message> probed = probe(probe);
            sendAndAwait(probe, listener, probed, "first");
            second.send(datagram("second", listener));
            third.send(datagram("third, over the cap", listener));
            third.send(datagram("third again", listener));
            sendAndAwait(probe, listener, probed, "after the third");
            assertThat(accepted).hasSize(2);
            assertThat(limits).hasSize(1);

            Connection secondConnection = accepted.stream()
                    .filter(c -> c.remoteEndpoint().orElseThrow().ipAddress().orElseThrow().getHostAddress()
                            .equals("127.0.0.2")).findFirst().orElseThrow();
            secondConnection.close();
            Await.result(secondConnection.closed());
            third.send(datagram("third, now in", listener));
            await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == 3);
            assertThat(limits).hasSize(1);
        }
    }

    @Test
    void oneRemoteFloodingAnApplicationThatDoesNotReceiveIsCutAtItsQueueLimits() throws Exception {
        try (Listener listener = listener(TransportProperties.unreliableDatagram());
                DatagramSocket probe = socket("127.0.0.1");
                DatagramSocket tiny = socket("127.0.0.4");
                DatagramSocket large = socket("127.0.0.5")) {
            BlockingQueue<Message> probed = probe(probe);
            sendAndAwait(probe, listener, probed, "first");
            MemoryProbe.Snapshot before = MemoryProbe.measure();

            int sent = 3 * QUEUE_COUNT;
            byte[] one = {7};
            byte[] kilobyte = new byte[1200];
            for (int i = 0; i < sent; i++) {
                tiny.send(new DatagramPacket(one, 1, target(listener)));
                if (i < sent / 4) {
                    large.send(new DatagramPacket(kilobyte, kilobyte.length, target(listener)));
                }
                if (i % 32 == 31) {
                    sendAndAwait(probe, listener, probed, "paced " + i);
                }
            }
            sendAndAwait(probe, listener, probed, "after the flood");

            MemoryProbe.Snapshot grown = MemoryProbe.measure().minus(before);
            System.out.printf("%d one-byte and %d 1200-byte datagrams to two Connections that do not receive: %s%n",
                    sent, sent / 4, grown);
            assertThat(grown.total()).as("memory of two flooded Connections (%s)", grown)
                    .isLessThanOrEqualTo(2 * QUEUE_MEMORY + (256 << 10));

            int tinyQueued = drain(tiny, listener);
            int largeQueued = drain(large, listener);
            assertThat(tinyQueued).as("1-byte datagrams kept: the count limit").isEqualTo(QUEUE_COUNT);
            assertThat((long) largeQueued * kilobyte.length).as("1200-byte datagrams kept: the memory limit")
                    .isLessThanOrEqualTo(QUEUE_MEMORY).isGreaterThan(QUEUE_MEMORY / 2);
        }
    }

    /**
     * Many remotes each filling their own queue would still add up (1,024 x 1 MiB); the datagrams
     * queued for all remotes of one Listener socket share 64 MiB. 100 remotes send twenty 60 KB
     * datagrams each, kept in their 64 KiB receive buffers (they fill more than half of them).
     */
    @Test
    void theRemotesOfOneListenerShareOneBudget() throws Exception {
        int remotes = 100;
        int each = 20;
        byte[] large = new byte[60_000];
        List<DatagramSocket> sources = new java.util.ArrayList<>();
        try (Listener listener = listener(TransportProperties.unreliableDatagram());
                DatagramSocket probe = socket("127.0.0.1")) {
            BlockingQueue<Message> probed = probe(probe);
            sendAndAwait(probe, listener, probed, "first");
            MemoryProbe.Snapshot before = MemoryProbe.measure();
            for (int r = 0; r < remotes; r++) {
                sources.add(socket("127.0.6." + (2 + r)));
            }
            for (int i = 0; i < each; i++) {
                for (int r = 0; r < remotes; r++) {
                    sources.get(r).send(new DatagramPacket(large, large.length, target(listener)));
                    if (r % 2 == 1) {
                        // A 60 KB datagram takes about 64 KiB of the socket's 208 KiB kernel buffer.
                        sendAndAwait(probe, listener, probed, "paced " + i + "/" + r);
                    }
                }
            }
            MemoryProbe.Snapshot grown = MemoryProbe.measure().minus(before);
            long queued = 0;
            for (DatagramSocket source : sources) {
                queued += drain(source, listener);
            }
            System.out.printf("%d remotes x %d datagrams of 60 KB: %d queued, %s%n", remotes, each, queued, grown);
            long perDatagram = 65_536 + 112;
            assertThat(queued * perDatagram).as("memory of the datagrams queued for all remotes")
                    .isLessThanOrEqualTo(SHARED_BUDGET).isGreaterThan(SHARED_BUDGET - remotes * perDatagram);
            assertThat(grown.total()).as("memory of %d flooded Connections (%s)", remotes, grown)
                    .isLessThanOrEqualTo(SHARED_BUDGET + (8L << 20));
        } finally {
            for (DatagramSocket source : sources) {
                source.close();
            }
        }
    }

    // ------------------------------------------------------------------ fixtures

    private Listener listener(TransportProperties properties) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(properties).security(SecurityParameters.disabled()).build()
                .listen(new ListenerEventHandler() {
                    @Override
                    public void connectionReceived(Connection connection) {
                        accepted.add(connection);
                        InetSocketAddress remote = remoteOf(connection);
                        BlockingQueue<Message> probed = probes.get(remote);
                        if (probed != null) {
                            receiveInto(connection, probed);
                        }
                    }

                    @Override
                    public void limitReached(Listener source, TransportServicesException notice) {
                        limits.add(notice);
                    }
                });
        Await.result(listener.ready());
        return listener;
    }

    private BlockingQueue<Message> probe(DatagramSocket socket) {
        BlockingQueue<Message> queue = new LinkedBlockingQueue<>();
        probes.put((InetSocketAddress) socket.getLocalSocketAddress(), queue);
        return queue;
    }

    private static void receiveInto(Connection connection, BlockingQueue<Message> queue) {
        connection.receive().whenComplete((message, failure) -> {
            if (message != null) {
                queue.add(message);
                receiveInto(connection, queue);
            }
        });
    }

    /**
     * Sends {@code text} from the probe and waits until the application received it. A loaded
     * machine may drop the probe's datagram in the kernel like any other, so it is sent again
     * until it arrives (older copies of earlier probes are skipped).
     */
    private static void sendAndAwait(DatagramSocket probe, Listener listener, BlockingQueue<Message> probed,
            String text) throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            probe.send(datagram(text, listener));
            Message received;
            while ((received = probed.poll(1, TimeUnit.SECONDS)) != null) {
                if (received.asString().equals(text)) {
                    return;
                }
            }
        }
        throw new AssertionError("the probe's datagram '" + text + "' never reached the application");
    }

    private Connection connectionOf(DatagramSocket source) {
        InetSocketAddress address = (InetSocketAddress) source.getLocalSocketAddress();
        return accepted.stream().filter(c -> remoteOf(c).equals(address)).findFirst().orElseThrow();
    }

    /**
     * Receives what is queued for {@code source}'s Connection and returns how many Messages that
     * was: after the first Receive made room, the source sends an end marker, which comes last.
     */
    private int drain(DatagramSocket source, Listener listener) throws Exception {
        Connection connection = connectionOf(source);
        Await.result(connection.receive());
        int count = 1;
        source.send(datagram("end", listener));
        while (!Await.result(connection.receive()).asString().equals("end")) {
            count++;
        }
        return count;
    }

    private static InetSocketAddress remoteOf(Connection connection) {
        return connection.remoteEndpoint().map(remote -> new InetSocketAddress(remote.ipAddress().orElseThrow(),
                remote.effectivePort())).orElseThrow();
    }

    private static DatagramSocket socket(String address) throws IOException {
        return new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0));
    }

    private static InetSocketAddress target(Listener listener) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.port());
    }

    private static DatagramPacket datagram(String text, Listener listener) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new DatagramPacket(bytes, bytes.length, target(listener));
    }
}

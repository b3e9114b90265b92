package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.channel.epoll.Epoll;
import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.Preconnection;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.CapacityProfile;
import io.taps.properties.ConnectionProperties;
import io.taps.properties.Limit;
import io.taps.properties.MessageProperties;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.PlainTcpPeer;
import io.taps.testing.TapsTestSupport;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 item 9: Message and Connection Properties that used to be stored but never read are
 * applied on real sockets, or reported as not applied (RFC 9622 §8.1, §8.2, §9.1.3).
 */
class AppliedMessagePropertiesTest extends TapsTestSupport {

    private static Preconnection udpTo(InetAddress address, int port) {
        return taps.preconnection().remote(RemoteEndpoint.ofAddress(address.getHostAddress(), port))
                .security(SecurityParameters.disabled()).properties(TransportProperties.unreliableDatagram()).build();
    }

    private static Preconnection tcpTo(int port, TransportProperties properties) {
        return taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                .security(SecurityParameters.disabled()).properties(properties).build();
    }

    private static ErrorReason sendFailure(Connection connection, int size, MessageProperties properties) {
        try {
            Await.result(send(connection, size, properties));
        } catch (CompletionException | TransportServicesException failure) {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            return ((TransportServicesException) cause).reason();
        }
        return null;
    }

    private static java.util.concurrent.CompletionStage<MessageContext> send(Connection connection, int size,
            MessageProperties properties) {
        return connection.send(Message.of(new byte[size]), MessageContext.of(properties), true);
    }

    /**
     * On ::1 the path MTU is the loopback MTU, so the largest unfragmented payload is the MTU less 48
     * bytes of IPv6 and UDP headers, not the 65,527 bytes a UDP datagram may carry; a
     * noFragmentation Message one byte larger is MessageTooLarge, the same Message without it goes.
     */
    @Test
    void singularTransmissionFollowsThePathMtuAndNoFragmentationRespectsIt_RO04_MP09() throws Exception {
        assumeThat(Epoll.isAvailable()).as("IP_MTU is read through the epoll transport").isTrue();
        int loopbackMtu = Integer.parseInt(Files.readString(Path.of("/sys/class/net/lo/mtu")).trim());
        int expected = Math.min(65_527, loopbackMtu - 48);
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            peer.setSoTimeout(10_000);
            Connection connection = udpTo(InetAddress.getByName("::1"), peer.getLocalPort()).initiate();
            Await.result(connection.ready());
            ConnectionProperties properties = connection.getProperties();
            assertThat(properties.get(Property.SINGULAR_TRANSMISSION_MSG_MAX_LEN)).isEqualTo(Limit.of(expected));
            assertThat(properties.get(Property.SEND_MSG_MAX_LEN)).isEqualTo(Limit.of(65_527));

            MessageProperties whole = MessageProperties.builder().safelyReplayable(true).noFragmentation(true).build();
            assertThat(sendFailure(connection, expected + 1, whole)).isEqualTo(ErrorReason.MESSAGE_TOO_LARGE);
            Await.result(send(connection, expected, whole));
            Await.result(send(connection, expected + 1, MessageProperties.builder().safelyReplayable(true).build()));
            DatagramPacket received = new DatagramPacket(new byte[65_536], 65_536);
            peer.receive(received);
            assertThat(received.getLength()).isEqualTo(expected);
            peer.receive(received);
            assertThat(received.getLength()).isEqualTo(expected + 1);
            connection.abort();
        }
    }

    /** msgCapacityProfile (RFC 9622 §9.1.3.8) marks that datagram alone, counted by nftables on lo. */
    @Test
    void aMessageCapacityProfileSetsTheDscpOfItsDatagram_MP08() throws Exception {
        assumeThat(Epoll.isAvailable()).as("per-datagram options need the epoll transport").isTrue();
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
                NftCounters counters = NftCounters.create("taps_s5props_dscp", peer.getLocalPort(), "af41", "cs0")) {
            peer.setSoTimeout(10_000);
            Connection connection = udpTo(InetAddress.getByName("127.0.0.1"), peer.getLocalPort()).initiate();
            Await.result(connection.ready());
            MessageProperties interactive = MessageProperties.builder().safelyReplayable(true)
                    .msgCapacityProfile(CapacityProfile.LOW_LATENCY_INTERACTIVE).build();
            Await.result(send(connection, 6, interactive));
            Await.result(send(connection, 5, MessageProperties.builder().safelyReplayable(true).build()));
            DatagramPacket received = new DatagramPacket(new byte[100], 100);
            peer.receive(received);
            peer.receive(received);
            assertThat(counters.packets("af41")).as("AF41 datagrams").isEqualTo(1);
            assertThat(counters.packets("cs0")).as("default datagrams").isEqualTo(1);
            connection.abort();
        }
    }

    /** sendMsgMaxLen and recvMsgMaxLen are the framer's limit (RFC 9622 §8.1.11.5, §8.1.11.6). */
    @Test
    void aFramersLimitIsTheConnectionsMessageLimit_RO05_RO06() throws Exception {
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> PlainTcpPeer.readToEnd(socket.getInputStream()))) {
            Connection connection = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", peer.port()))
                    .security(SecurityParameters.disabled())
                    .framer(LengthPrefixFramer.builder(4).maxMessageSize(1000).factory()).build().initiate();
            Await.result(connection.ready());
            ConnectionProperties properties = connection.getProperties();
            assertThat(properties.get(Property.SEND_MSG_MAX_LEN)).isEqualTo(Limit.of(1000));
            assertThat(properties.get(Property.RECV_MSG_MAX_LEN)).isEqualTo(Limit.of(1000));
            assertThat(properties.get(Property.SINGULAR_TRANSMISSION_MSG_MAX_LEN)).as("not applicable")
                    .isEqualTo(Limit.UNLIMITED);
            assertThat(sendFailure(connection, 1001, MessageProperties.empty()))
                    .isEqualTo(ErrorReason.MESSAGE_TOO_LARGE);
            Await.result(send(connection, 1000, MessageProperties.empty()));
            connection.close();
            Await.result(connection.closed());
        }
    }

    /** A byte stream is segmented by TCP, never per Message (RFC 9622 §9.1.3.10). */
    @Test
    void noSegmentationIsRefusedOnTcp_MP10() throws Exception {
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> PlainTcpPeer.readToEnd(socket.getInputStream()))) {
            Connection connection = tcpTo(peer.port(), TransportProperties.defaults()).initiate();
            Await.result(connection.ready());
            assertThat(sendFailure(connection, 10, MessageProperties.builder().noSegmentation(true).build()))
                    .isEqualTo(ErrorReason.INVALID_MESSAGE_PROPERTIES);
            Await.result(send(connection, 10, MessageProperties.builder().noFragmentation(true).build()));
            connection.close();
            Await.result(connection.closed());
        }
    }

    /**
     * Linux TCP neither sends nor honours the User Timeout Option (RFC 5482): tcp.userTimeoutEnabled
     * reads false; once connTimeout is used, tcp.userTimeoutChangeable reads false (RFC 9622 §8.2.3).
     * The receive rate bound and the rate floors are not applied, so they read Unlimited.
     */
    @Test
    void tcpUserTimeoutOptionAndUnappliedRatesReadAsInEffect_TCP02_TCP03_CP08() throws Exception {
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> PlainTcpPeer.readToEnd(socket.getInputStream()))) {
            TransportProperties asked = TransportProperties.builder().set(Property.TCP_USER_TIMEOUT_ENABLED, true)
                    .connTimeout(Duration.ofSeconds(20)).maxRecvRate(1_000_000).minSendRate(1000).build();
            Connection connection = tcpTo(peer.port(), asked).initiate();
            Await.result(connection.ready());
            ConnectionProperties applied = connection.getProperties();
            assertThat(applied.get(Property.TCP_USER_TIMEOUT_ENABLED)).isFalse();
            assertThat(applied.get(Property.TCP_USER_TIMEOUT_CHANGEABLE)).isFalse();
            assertThat(applied.get(Property.CONN_TIMEOUT)).isEqualTo(Timeout.of(Duration.ofSeconds(20)));
            assertThat(applied.get(Property.MAX_RECV_RATE)).isEqualTo(Limit.UNLIMITED);
            assertThat(applied.get(Property.MIN_SEND_RATE)).isEqualTo(Limit.UNLIMITED);
            connection.close();
            Await.result(connection.closed());
        }
    }

    /**
     * maxSendRate (RFC 9622 §8.1.8) shapes what leaves: 240 KB at 800 kbit/s (100 KB/s) cannot all
     * arrive within a second of the first byte. Only a lower bound on the time is asserted, which a
     * slow machine cannot break.
     */
    @Test
    void maxSendRateBoundsWhatThePeerReceives_CP08() throws Exception {
        int total = 240_000;
        long[] firstAndLast = new long[2];
        try (PlainTcpPeer peer = PlainTcpPeer.start(socket -> {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            int seen = 0;
            while (seen < total) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                if (seen == 0) {
                    firstAndLast[0] = System.nanoTime();
                }
                seen += n;
            }
            firstAndLast[1] = System.nanoTime();
        })) {
            Connection connection = tcpTo(peer.port(), TransportProperties.builder().maxSendRate(800_000).build())
                    .initiate();
            Await.result(connection.ready());
            assertThat(connection.getProperties().get(Property.MAX_SEND_RATE)).isEqualTo(Limit.of(800_000));
            for (int i = 0; i < total / 10_000; i++) {
                connection.send(new byte[10_000]);
            }
            Await.result(peer.done());
            assertThat(Duration.ofNanos(firstAndLast[1] - firstAndLast[0])).isGreaterThan(Duration.ofSeconds(1));
            connection.close();
            Await.result(connection.closed());
        }
    }

    /** Packet counters per DSCP for UDP to one port on lo, in an nftables table of this test's own. */
    private static final class NftCounters implements AutoCloseable {
        private final String table;

        private NftCounters(String table) {
            this.table = table;
        }

        static NftCounters create(String table, int port, String... dscps) throws Exception {
            assumeThat(Files.isExecutable(Path.of("/usr/sbin/nft"))).as("nftables").isTrue();
            run("nft", "delete", "table", "inet", table).waitFor(); // a leftover of an aborted run
            NftCounters counters = new NftCounters(table);
            check(run("nft", "add", "table", "inet", table));
            check(run("nft", "add", "chain", "inet", table, "out", "{ type filter hook output priority 0 ; }"));
            for (String dscp : dscps) {
                check(run("nft", "add", "rule", "inet", table, "out", "udp", "dport", String.valueOf(port), "ip",
                        "dscp", dscp, "counter"));
            }
            return counters;
        }

        long packets(String dscp) throws Exception {
            Process list = run("nft", "list", "table", "inet", table);
            String text = new String(list.getInputStream().readAllBytes());
            check(list);
            for (String line : text.split("\n")) {
                if (line.contains("dscp " + dscp + " counter packets ")) {
                    String after = line.substring(line.indexOf("counter packets ") + "counter packets ".length());
                    return Long.parseLong(after.substring(0, after.indexOf(' ')));
                }
            }
            throw new AssertionError("no counter for dscp " + dscp + " in\n" + text);
        }

        private static Process run(String... command) throws Exception {
            return new ProcessBuilder(command).redirectErrorStream(true).start();
        }

        private static void check(Process process) throws Exception {
            if (process.waitFor() != 0) {
                throw new AssertionError("nft failed: " + new String(process.getInputStream().readAllBytes()));
            }
        }

        @Override
        public void close() throws Exception {
            run("nft", "delete", "table", "inet", table).waitFor();
        }
    }
}

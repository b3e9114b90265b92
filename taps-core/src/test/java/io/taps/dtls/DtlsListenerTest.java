package io.taps.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.dtls.DtlsStack;
import io.taps.monitor.EstablishmentReport;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import io.taps.testing.TestPki;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The DTLS Listener under attack and after failure (issue 18 items 1 and 5): spoofed ClientHellos
 * leave no per-peer state (RFC 6347 §4.2.1), and a secure Preconnection never falls back to plain
 * UDP (RFC 9621 §3.3).
 */
class DtlsListenerTest extends TapsTestSupport {
    private static final int FLOOD = 1_000;

    @Test
    void spoofedClientHellosWithoutOrWithWrongCookiesLeaveNoPerPeerState() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = DtlsConnectionTest.dtlsEcho("127.0.0.1", DtlsConnectionTest.server(TestPki.SERVER), accepted)) {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", listener.port());
            // One real client first (warms the listener's paths, so the heap comparison sees state, not classes).
            handshakeOnce(target, accepted);
            int associationsBefore = DtlsStack.associationCount(target);
            long heapBefore = usedHeapAfterGc();

            byte[] hello = firstClientHello();
            byte[] wrongCookie = withCookie(hello, new byte[32]);
            for (int i = 0; i < FLOOD; i++) {
                // Every datagram from its own source address and port, as a spoofed flood looks.
                try (DatagramChannel spoofed = DatagramChannel.open()) {
                    spoofed.bind(new InetSocketAddress("127.0." + (1 + i / 250) + "." + (1 + i % 250), 0));
                    spoofed.send(ByteBuffer.wrap(i % 2 == 0 ? hello : wrongCookie), target);
                }
            }
            // Processed in order on the same socket: once a later client completes, the flood was read.
            Connection probe = client(target);
            Await.result(probe.ready());
            Await.result(probe.send("after the flood"));
            assertThat(Await.result(probe.receive()).asString()).isEqualTo("after the flood");

            assertThat(DtlsStack.associationCount(target)).as("only the probe has an association")
                    .isEqualTo(associationsBefore + 1);
            assertThat(accepted).hasSize(2);
            long grown = usedHeapAfterGc() - heapBefore;
            assertThat(grown).as("heap growth after %d spoofed ClientHellos", FLOOD).isLessThan(8L << 20);
            probe.abort();
        }
    }

    @Test
    void secureUnreliablePreconnectionNeverFallsBackToPlainUdpWhenTheDtlsListenerIsGone() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        int port;
        try (Listener dtls = DtlsConnectionTest.dtlsEcho("127.0.0.1", DtlsConnectionTest.server(TestPki.SERVER), accepted)) {
            port = dtls.port();
            Connection first = client(new InetSocketAddress("127.0.0.1", port));
            Await.result(first.ready());
            // The client can be Ready before the Listener's ConnectionReceived has run.
            Awaitility.await().atMost(Await.DEFAULT).until(() -> !accepted.isEmpty());
            first.close();
            Await.result(first.closed());
            Await.result(accepted.get(0).closed());
        }
        // The DTLS listener is killed; plain UDP now answers on the very same port.
        List<Message> cleartext = new CopyOnWriteArrayList<>();
        try (Listener plain = taps.preconnection().security(SecurityParameters.disabled())
                .local(LocalEndpoint.ofAddress("127.0.0.1", port))
                .properties(TransportProperties.unreliableDatagram()).build()
                .listen(connection -> collect(connection, cleartext))) {
            Await.result(plain.ready());
            assertThat(plain.protocolStack()).isEqualTo("UDP");
            Connection secure = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                    .security(DtlsConnectionTest.client())
                    .properties(TransportProperties.unreliableDatagram().toBuilder()
                            .connTimeout(Duration.ofSeconds(2)).build())
                    .build().initiateWithSend(Message.of("secret payload"), new io.taps.ConnectionEventHandler() { });
            Throwable failure = Await.failure(secure.ready());
            assertThat(((TransportServicesException) failure).reason()).isIn(ErrorReason.TIMEOUT,
                    ErrorReason.ESTABLISHMENT_FAILED, ErrorReason.SECURITY_FAILED);
            EstablishmentReport report = secure.establishmentReport();
            assertThat(report.winner()).isEmpty();
            assertThat(report.attempts()).isNotEmpty()
                    .allSatisfy(attempt -> assertThat(attempt.candidate().stack()).isEqualTo("DTLS/UDP"));
            assertThat(secure.protocolStack()).isNotEqualTo(java.util.Optional.of("UDP"));
            // What reached the plain listener were DTLS handshake records only, never the Message.
            assertThat(cleartext).isNotEmpty().allSatisfy(message -> {
                assertThat(message.bytes()[0]).as("a DTLS handshake (22) or alert (21) record").isIn((byte) 22, (byte) 21);
                assertThat(new String(message.bytes(), java.nio.charset.StandardCharsets.ISO_8859_1))
                        .doesNotContain("secret payload");
            });
        }
    }

    @Test
    void lostHandshakeDatagramsAreRetransmittedOnTheTimer() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = DtlsConnectionTest.dtlsEcho("127.0.0.1", DtlsConnectionTest.server(TestPki.SERVER), accepted);
                LossyRelay relay = new LossyRelay(new InetSocketAddress("127.0.0.1", listener.port()))) {
            // The client's first ClientHello and the server's first flight after the cookie are lost.
            relay.dropFromClient(1);
            relay.dropFromServer(2);
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", relay.port()))
                    .security(DtlsConnectionTest.client()).properties(TransportProperties.unreliableDatagram().toBuilder()
                            .connTimeout(Duration.ofSeconds(15)).build())
                    .build().initiate();
            Await.result(client.ready(), Duration.ofSeconds(20));
            assertThat(relay.dropped()).isEqualTo(2);
            Await.result(client.send("after loss"));
            assertThat(Await.result(client.receive()).asString()).isEqualTo("after loss");
            client.abort();
        }
    }

    @Test
    void idleAssociationsAreEvictedAndTheLimitHoldsFurtherPeersBack() throws Exception {
        java.util.concurrent.atomic.AtomicInteger limitReached = new java.util.concurrent.atomic.AtomicInteger();
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(DtlsConnectionTest.server(TestPki.SERVER))
                .properties(TransportProperties.unreliableDatagram().toBuilder()
                        .set(io.taps.properties.Property.IDLE_TIMEOUT, io.taps.properties.Timeout.of(Duration.ofSeconds(3)))
                        .set(io.taps.properties.Property.MAX_CONCURRENT_CONNECTIONS, io.taps.properties.Limit.of(1))
                        .build()).build()
                .listen(new io.taps.ListenerEventHandler() {
                    @Override
                    public void connectionReceived(Connection connection) {
                        accepted.add(connection);
                    }

                    @Override
                    public void limitReached(Listener l, TransportServicesException notice) {
                        limitReached.incrementAndGet();
                    }
                })) {
            Await.result(listener.ready());
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", listener.port());
            Connection first = client(target);
            Await.result(first.ready());
            assertThat(DtlsStack.associationCount(target)).isEqualTo(1);
            Connection second = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", target.getPort()))
                    .security(DtlsConnectionTest.client()).properties(TransportProperties.unreliableDatagram().toBuilder()
                            .connTimeout(Duration.ofMillis(1000)).build())
                    .build().initiate();
            assertThat(((TransportServicesException) Await.failure(second.ready())).reason()).isEqualTo(ErrorReason.TIMEOUT);
            assertThat(limitReached).hasValue(1);
            // The first client vanishes without close_notify: the idle timeout ends its association.
            first.abort();
            Await.failure(accepted.get(0).closed());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> DtlsStack.associationCount(target) == 0);
            // Its slot is free again.
            Connection third = client(target);
            Await.result(third.ready());
            third.abort();
        }
    }

    /** A UDP relay between one client and the listener that drops chosen datagrams of each direction. */
    private static final class LossyRelay implements AutoCloseable {
        private final DatagramChannel socket;
        private final InetSocketAddress server;
        private final Thread thread;
        private final java.util.Set<Integer> dropClient = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final java.util.Set<Integer> dropServer = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final java.util.concurrent.atomic.AtomicInteger dropped = new java.util.concurrent.atomic.AtomicInteger();

        LossyRelay(InetSocketAddress server) throws Exception {
            this.server = server;
            this.socket = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            this.thread = new Thread(this::relay, "dtls-lossy-relay");
            thread.setDaemon(true);
            thread.start();
        }

        void dropFromClient(int nth) {
            dropClient.add(nth);
        }

        void dropFromServer(int nth) {
            dropServer.add(nth);
        }

        int dropped() {
            return dropped.get();
        }

        int port() throws Exception {
            return ((InetSocketAddress) socket.getLocalAddress()).getPort();
        }

        private void relay() {
            ByteBuffer buffer = ByteBuffer.allocate(65_536);
            InetSocketAddress client = null;
            int fromClient = 0;
            int fromServer = 0;
            try {
                while (true) {
                    buffer.clear();
                    InetSocketAddress sender = (InetSocketAddress) socket.receive(buffer);
                    buffer.flip();
                    boolean fromTheServer = sender.equals(server);
                    if (!fromTheServer) {
                        client = sender;
                    }
                    if (fromTheServer ? dropServer.contains(++fromServer) : dropClient.contains(++fromClient)) {
                        dropped.incrementAndGet();
                        continue;
                    }
                    socket.send(buffer, fromTheServer ? client : server);
                }
            } catch (Exception closed) {
                // the relay was closed
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(1000);
        }
    }

    private static void collect(Connection connection, List<Message> into) {
        connection.receive().whenComplete((message, failure) -> {
            if (failure == null) {
                into.add(message);
                collect(connection, into);
            }
        });
    }

    private static Connection client(InetSocketAddress target) {
        return taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", target.getPort()))
                .security(DtlsConnectionTest.client()).properties(TransportProperties.unreliableDatagram())
                .build().initiate();
    }

    private static void handshakeOnce(InetSocketAddress target, List<Connection> accepted) {
        int before = accepted.size();
        Connection warm = client(target);
        Await.result(warm.ready());
        // The client can be Ready before the Listener's ConnectionReceived has run.
        Awaitility.await().atMost(Await.DEFAULT).until(() -> accepted.size() > before);
        warm.close();
        Await.result(warm.closed());
        // The listener forgets the association once the close_notify arrived.
        Await.result(accepted.get(before).closed());
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** A real DTLS 1.2 ClientHello from the JDK's own client engine. */
    private static byte[] firstClientHello() throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init((java.security.KeyStore) null);
        SSLContext context = SSLContext.getInstance("DTLS");
        context.init(null, trust.getTrustManagers(), null);
        SSLEngine engine = context.createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(new String[] {"DTLSv1.2"});
        engine.setSSLParameters(parameters);
        engine.beginHandshake();
        assertThat(engine.getHandshakeStatus()).isEqualTo(HandshakeStatus.NEED_WRAP);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    /** {@code hello} (cookie-less) with {@code cookie} inserted and its lengths fixed. */
    private static byte[] withCookie(byte[] hello, byte[] cookie) {
        int cookieAt = 13 + 12 + 2 + 32 + 1 + (hello[13 + 12 + 2 + 32] & 0xff);
        byte[] out = new byte[hello.length + cookie.length];
        System.arraycopy(hello, 0, out, 0, cookieAt);
        out[cookieAt] = (byte) cookie.length;
        System.arraycopy(cookie, 0, out, cookieAt + 1, cookie.length);
        System.arraycopy(hello, cookieAt + 1, out, cookieAt + 1 + cookie.length, hello.length - cookieAt - 1);
        int recordLength = out.length - 13;
        out[11] = (byte) (recordLength >> 8);
        out[12] = (byte) recordLength;
        int body = recordLength - 12;
        for (int at : new int[] {14, 22}) {
            out[at] = (byte) (body >> 16);
            out[at + 1] = (byte) (body >> 8);
            out[at + 2] = (byte) body;
        }
        out[18] = 1; // message_seq of a second ClientHello
        return out;
    }
}

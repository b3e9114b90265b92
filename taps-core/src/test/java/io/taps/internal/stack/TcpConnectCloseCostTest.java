package io.taps.internal.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.taps.Connection;
import io.taps.Message;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.conn.TapsConnection;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TapsTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What a plain TCP connect and close costs beyond the kernel's own work (issue 21 item 1), against
 * a peer that is neither taps nor Netty (a blocking JDK socket): TCP_INFO is read once per
 * Connection, and once taps' FIN is out the peer's FIN closes the channel without Netty's
 * shutdown(SHUT_RD) on an already closed socket (which fails with ENOTCONN and builds an exception),
 * with every byte the peer sent after taps' Close received whole and the Connection Closed.
 */
class TcpConnectCloseCostTest extends TapsTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aConnectAndCloseReadsTcpInfoOnceAndStillReportsTheRttAfterClosed() throws Exception {
        assumeTrue("epoll".equals(taps.ioTransport()), "TCP_INFO needs the epoll transport");
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> peer = echoPeer(server);
            Connection connection = initiate(server, new RecordingHandler());
            Await.result(connection.ready());
            long before = ChannelLink.tcpInfoReads();
            // Establishment has read it once already; nothing more until Closed.
            connection.close();
            Await.result(connection.closed(), WAIT);
            Await.result(peer, WAIT);
            assertThat(ChannelLink.tcpInfoReads() - before).as("TCP_INFO reads by Close").isZero();
            assertThat(connection.transferReport().smoothedRtt()).as("the RTT measured at establishment")
                    .hasValueSatisfying(rtt -> assertThat(rtt).isPositive());
        }
    }

    /**
     * Netty's {@code tcpInfo()} makes a holder with a 32-long array per read (3% of the bytes of a
     * TCP connect + close, issue 21); taps reads into one per thread, so a read allocates at most
     * the Optional and Duration it returns.
     */
    @Test
    void readingTheRttReusesOneTcpInfoPerThread() throws Exception {
        assumeTrue("epoll".equals(taps.ioTransport()), "TCP_INFO needs the epoll transport");
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean
                && ((com.sun.management.ThreadMXBean) bean).isThreadAllocatedMemorySupported());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        threads.setThreadAllocatedMemoryEnabled(true);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> peer = echoPeer(server);
            Connection connection = initiate(server, new RecordingHandler());
            Await.result(connection.ready());
            ChannelLink link = (ChannelLink) ((TapsConnection) connection).link();
            long positive = 0;
            for (int i = 0; i < 20_000; i++) {
                positive += link.smoothedRtt().map(rtt -> rtt.isNegative() ? 0 : 1).orElse(0);
            }
            long thread = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 10_000; i++) {
                positive += link.smoothedRtt().isPresent() ? 1 : 0;
            }
            long perRead = (threads.getThreadAllocatedBytes(thread) - before) / 10_000;
            assertThat(positive).as("every read answered").isEqualTo(30_000);
            // A holder per read is over 300 bytes; the Optional and Duration are 40.
            assertThat(perRead).as("bytes per TCP_INFO read").isLessThan(120);
            connection.close();
            Await.result(connection.closed(), WAIT);
            Await.result(peer, WAIT);
        }
    }

    @Test
    void afterTapsFinThePeersFinEndsInputAndFlowWithoutAFailingInputShutdown() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> peer = echoPeer(server);
            RecordingHandler events = new RecordingHandler();
            Connection connection = initiate(server, events);
            Await.result(connection.ready());
            List<Object> nettyEvents = recordNettyUserEvents(connection);

            byte[] payload = new byte[256 * 1024];
            new Random(21).nextBytes(payload);
            connection.send(Message.of(payload));
            connection.close();
            assertThat(Await.result(peer, WAIT)).as("the peer received everything before taps' FIN").isEqualTo(payload);

            // The peer echoed it after taps' FIN, then sent its own FIN: received after Close, whole.
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            long total = 0;
            Message part;
            do {
                part = Await.result(connection.receive(), WAIT);
                received.update(part.bytes());
                total += part.length();
            } while (!part.endOfMessage());
            assertThat(total).isEqualTo(payload.length);
            assertThat(received.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(payload));
            assertThat(part.context().isFinal()).as("the peer's FIN ends the Message").isTrue();
            Await.result(connection.closed(), WAIT);
            assertThat(events.events()).endsWith("Closed").noneMatch(e -> e.startsWith("ConnectionError"))
                    .doesNotContain("ReceiveError:ConnectionClosed");
            assertThat(connection.transferReport().messagesReceived()).as("the stream is one Message").isEqualTo(1);
            // Netty raises this only from its half-closure path, which calls shutdown(SHUT_RD) on a
            // socket the kernel already closed once both FINs passed.
            assertThat(nettyEvents).as("Netty's input shutdown after taps' FIN")
                    .doesNotContain(ChannelInputShutdownEvent.INSTANCE);
        }
    }

    /**
     * Netty's shutdownOutput builds a ChannelOutputShutdownException with a stack trace for its
     * outbound buffer on every FIN, even with nothing left to fail (5% of the bytes of a TCP
     * connect + close, issue 21): with its buffer empty, taps' Close sends the FIN through the
     * socket itself, so Netty's shutdown (whose only other trace is this event) never runs, and the
     * peer still gets every byte and the FIN.
     */
    @Test
    void closingWithNothingUnwrittenSendsTheFinWithoutNettysOutputShutdown() throws Exception {
        assumeTrue("epoll".equals(taps.ioTransport()), "the socket's own shutdown is used on epoll");
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> peer = echoPeer(server);
            RecordingHandler events = new RecordingHandler();
            Connection connection = initiate(server, events);
            Await.result(connection.ready());
            List<Object> nettyEvents = recordNettyUserEvents(connection);
            Await.result(connection.send("last words"), WAIT);
            connection.close();
            assertThat(new String(Await.result(peer, WAIT), java.nio.charset.StandardCharsets.US_ASCII))
                    .as("the peer read everything, then the FIN").isEqualTo("last words");
            Await.result(connection.closed(), WAIT);
            assertThat(events.events()).endsWith("Closed").noneMatch(e -> e.startsWith("ConnectionError"));
            assertThat(nettyEvents).as("Netty's output shutdown")
                    .doesNotContain(io.netty.channel.socket.ChannelOutputShutdownEvent.INSTANCE);
        }
    }

    /** The user events Netty raises on the Connection's channel from now on, in order. */
    private static List<Object> recordNettyUserEvents(Connection connection) {
        List<Object> nettyEvents = new CopyOnWriteArrayList<>();
        ((ChannelLink) ((TapsConnection) connection).link()).channel().pipeline().addFirst(
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                        nettyEvents.add(event);
                        ctx.fireUserEventTriggered(event);
                    }
                });
        return nettyEvents;
    }

    private Connection initiate(ServerSocket server, RecordingHandler events) {
        return taps.preconnection().security(SecurityParameters.disabled())
                .remote(RemoteEndpoint.ofAddress(server.getInetAddress().getHostAddress(), server.getLocalPort()))
                .build().initiate(events);
    }

    /** Accepts one connection, reads it to the end, writes it all back, then closes: what it read. */
    private static CompletableFuture<byte[]> echoPeer(ServerSocket server) {
        CompletableFuture<byte[]> read = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                in.transferTo(all);
                byte[] bytes = all.toByteArray();
                read.complete(bytes);
                OutputStream out = socket.getOutputStream();
                out.write(bytes);
                out.flush();
            } catch (Exception e) {
                read.completeExceptionally(e);
            }
        }, "echo-peer");
        thread.setDaemon(true);
        thread.start();
        return read;
    }
}

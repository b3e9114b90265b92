package io.taps.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.Version;
import io.taps.testing.Await;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Issue 13, defect 2, at the Netty level, with no peer tool: once the peer's FIN has emptied a
 * channel's epoll interest set, Netty 4.2.19 has removed the descriptor from the epoll set
 * (EPOLL_CTL_DEL) but still believes it added, so the first write that fills the socket buffer asks
 * for EPOLLOUT with EPOLL_CTL_MOD and fails with ENOENT. {@link EpollRegistrationGuard} is what keeps
 * that write alive; the first test fails if {@link IoTransport#EPOLL} stops installing it.
 */
@EnabledIf("epollAvailable")
class EpollHalfClosedWriteTest {
    /** Far more than the small socket buffers below hold, so the write must wait for EPOLLOUT. */
    private static final int PAYLOAD = 4 << 20;
    private static final int SOCKET_BUFFER = 16 << 10;
    private static final Duration TRANSFER = Duration.ofSeconds(30);

    static boolean epollAvailable() {
        return Epoll.isAvailable();
    }

    @Test
    void tapsEpollTransport_writesMegabytesAfterThePeersFin() throws Exception {
        Outcome outcome = writeAfterPeerFin(IoTransport.EPOLL.ioHandlerFactory());

        assertThat(outcome.writeFailure).as("the write after the peer's FIN").isNull();
        assertThat(outcome.peerReceived).as("bytes the peer received").isEqualTo(PAYLOAD);
    }

    /**
     * The defect itself, in Netty's own epoll handler. When this test fails after a Netty upgrade,
     * Netty fixed the defect: remove {@link EpollRegistrationGuard} (16 B per Connection) and this
     * test, and keep the one above.
     */
    @Test
    void nettyEpollHandler_stillFailsThatWrite_soTheGuardIsStillNeeded() throws Exception {
        Outcome outcome = writeAfterPeerFin(EpollIoHandler.newFactory());

        assertThat(outcome.writeFailure)
                .as("Netty %s failed the write after the peer's FIN; if it no longer does, the guard can go",
                        nettyEpollVersion())
                .isNotNull()
                .hasStackTraceContaining("epoll_ctl");
    }

    private static String nettyEpollVersion() {
        Version version = Version.identify().get("netty-transport-classes-epoll");
        return version == null ? "(version unknown)" : version.artifactVersion();
    }

    private record Outcome(Throwable writeFailure, long peerReceived) { }

    /**
     * A JDK socket peer sends its FIN at once and reads nothing until the client, after seeing that
     * FIN, has written {@link #PAYLOAD} bytes (more than the buffers hold), then reads to the end.
     */
    private static Outcome writeAfterPeerFin(IoHandlerFactory handlers) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, handlers);
        try (ServerSocket peerListener = new ServerSocket()) {
            peerListener.setReceiveBufferSize(SOCKET_BUFFER);
            peerListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CompletableFuture<Channel> inputEnded = new CompletableFuture<>();
            Channel client = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ReferenceCountUtil.release(msg);
                        }

                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                            if (event == ChannelInputShutdownReadComplete.INSTANCE) {
                                // From a later task: Netty empties the interest set after this event,
                                // in the same round of I/O handling.
                                ctx.channel().eventLoop().execute(() -> inputEnded.complete(ctx.channel()));
                            }
                        }
                    })
                    .connect(peerListener.getLocalSocketAddress()).sync().channel();
            try (Socket peer = peerListener.accept()) {
                peer.setSoTimeout((int) TRANSFER.toMillis());
                peer.shutdownOutput();
                Channel halfClosed = Await.result(inputEnded);

                CompletableFuture<Throwable> written = new CompletableFuture<>();
                halfClosed.eventLoop().submit(() -> halfClosed.writeAndFlush(Unpooled.wrappedBuffer(new byte[PAYLOAD]))
                        .addListener(done -> {
                            written.complete(done.cause());
                            halfClosed.close();
                        })).sync();

                long peerReceived = drain(peer.getInputStream());
                return new Outcome(Await.result(written, TRANSFER), peerReceived);
            } finally {
                client.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    /** Reads to the end of the stream (the client closes once its write is done or failed). */
    private static long drain(InputStream in) {
        long total = 0;
        byte[] buffer = new byte[64 << 10];
        try {
            for (int n; (n = in.read(buffer)) >= 0;) {
                total += n;
            }
        } catch (java.io.IOException resetOrTimeout) {
            // A failed write may end the connection with a reset: what arrived before it counts.
        }
        return total;
    }
}

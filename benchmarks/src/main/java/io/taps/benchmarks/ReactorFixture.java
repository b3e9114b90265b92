package io.taps.benchmarks;

import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import reactor.netty.Connection;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.udp.UdpClient;

/**
 * The Reactor Netty half of the benchmarks (issue 21, the second baseline): what a Spring developer
 * would otherwise pick, {@code reactor-netty-core}'s {@link TcpClient} and {@link UdpClient} in the
 * version Spring Boot manages, talking to the same raw Netty servers as the taps and raw Netty
 * clients.
 *
 * <p>Set up as the other two clients are: one event loop thread of its own
 * ({@link LoopResources#create(String, int, boolean)} with one worker) on the same transport (native
 * epoll when taps and the raw client use it), {@code TCP_NODELAY}, Netty's default pooled allocator,
 * the same {@code SslContext} as the raw client (so the same TLS provider), and
 * {@link TcpClient#newConnection()}: a connection per connect, no pool, as the other two clients
 * have. Messages go through Reactor's API ({@code outbound().sendObject(..)}, {@code
 * inbound().receiveObject()}), the length-prefix codec is added with {@code addHandlerLast}, as
 * Reactor Netty's documentation shows.
 */
public final class ReactorFixture {
    private ReactorFixture() {
    }

    /** One event loop thread on the transport taps uses. */
    public static LoopResources loops() {
        return LoopResources.create("reactor-bench", 1, true);
    }

    /** Stops the loops at once and waits for them. */
    public static void dispose(LoopResources loops) {
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(TapsFixture.TIMEOUT_SECONDS)).block();
    }

    /** A TCP client (no pool) to {@code server} on {@code loops}. */
    public static TcpClient tcp(LoopResources loops, NettyFixture.Server server) {
        return tcp(loops, server.address());
    }

    /** A TCP client of {@code target} (Reactor Netty takes SNI and the verified name from its host string). */
    public static TcpClient tcp(LoopResources loops, java.net.InetSocketAddress target) {
        return TcpClient.newConnection().runOn(loops, NettyFixture.EPOLL)
                .remoteAddress(() -> target)
                .option(ChannelOption.TCP_NODELAY, true);
    }

    /** {@link #tcp} with TLS 1.3: the raw client's context (benchmark root trusted, host name 127.0.0.1 verified). */
    public static TcpClient tls(LoopResources loops, NettyFixture.Server server) {
        return tls(loops, server.address());
    }

    /** {@link #tcp(LoopResources, java.net.InetSocketAddress)} with TLS 1.3, verifying {@code target}'s host string. */
    public static TcpClient tls(LoopResources loops, java.net.InetSocketAddress target) {
        return tcp(loops, target).secure(spec -> spec.sslContext(Tls.clientContext()));
    }

    /** A UDP client "connected" to {@code server} on {@code loops}. */
    public static UdpClient udp(LoopResources loops, NettyFixture.Server server) {
        return UdpClient.create().runOn(loops, NettyFixture.EPOLL).remoteAddress(server::address);
    }

    /** Adds the 4-byte length-prefix codec of the framed benchmarks, the Reactor Netty way. */
    public static void addLengthPrefixCodec(Connection connection) {
        connection.addHandlerLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, NettyFixture.LENGTH_FIELD, 0,
                NettyFixture.LENGTH_FIELD));
        connection.addHandlerLast(new LengthFieldPrepender(NettyFixture.LENGTH_FIELD));
    }

    /** Connects (and, for TLS, completes the handshake), failing after {@link TapsFixture#TIMEOUT_SECONDS}. */
    public static Connection connect(TcpClient client) {
        Connection connection = client.connectNow(Duration.ofSeconds(TapsFixture.TIMEOUT_SECONDS));
        SslHandler ssl = connection.channel().pipeline().get(SslHandler.class);
        if (ssl != null) {
            // Reactor Netty reports the connection after the handshake; this only checks that it succeeded.
            ssl.handshakeFuture().syncUninterruptibly();
        }
        return connection;
    }

    /**
     * Closes as the raw Netty client does (the same exchange as taps' graceful close): TLS
     * close_notify, a FIN, then waits until the peer's close disposes the connection. Reactor Netty
     * has no half-close of its own, so this goes through its channel.
     */
    public static void closeGracefully(Connection connection) {
        // The channel is read once: the peer's answer to close_notify can dispose the connection
        // before the next line, and a disposed Connection's channel() is a placeholder
        // (ChannelOperations.DisposedChannel), which failed run.sh after ~13,000 TLS handshakes.
        io.netty.channel.Channel channel = connection.channel();
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl != null) {
            ssl.closeOutbound();
        }
        ((DuplexChannel) channel).shutdownOutput();
        if (!channel.closeFuture().awaitUninterruptibly(TapsFixture.TIMEOUT_SECONDS * 1000)) {
            connection.dispose();
            throw new IllegalStateException("the server did not close within " + TapsFixture.TIMEOUT_SECONDS + " s");
        }
    }
}

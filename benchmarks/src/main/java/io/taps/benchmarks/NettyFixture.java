package io.taps.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;

/**
 * The raw Netty half of every benchmark: the servers both sides talk to (always raw Netty, so the
 * pairs measure the client library) and the pieces of the raw Netty clients.
 *
 * <p>The transport follows taps' rule (epoll when available unless {@code -Dtaps.transport=nio});
 * channels keep Netty's default pooled allocator, as taps' channels do; TCP sockets set
 * {@code TCP_NODELAY}, as taps does. Servers run on one event loop thread, clients on another.
 */
public final class NettyFixture {
    /** Payload of every request/response benchmark, in bytes. */
    public static final int PAYLOAD = 64;
    /** Size of the big-endian length prefix of the framed TCP and TLS benchmarks. */
    public static final int LENGTH_FIELD = 4;
    /** The address every server binds and every client connects to. */
    public static final String HOST = "127.0.0.1";
    /** The IPv6 loopback address, which the connect benchmarks' discard server also listens on. */
    public static final String HOST6 = "::1";
    /**
     * The name taps resolves in the connect benchmarks (issue 21: "racing on, two families
     * resolved"): {@code localhost}, which the taps side's hosts file maps to both loopback
     * addresses ({@link TapsFixture#createResolvingLocalhostToBothFamilies()}).
     */
    public static final String LOOPBACK_NAME = "localhost";

    /** Whether the raw side runs on epoll: the same rule as {@code TransportServices.ioTransport()}. */
    public static final boolean EPOLL = !"nio".equalsIgnoreCase(System.getProperty("taps.transport", ""))
            && epollAvailable();

    private NettyFixture() {
    }

    private static boolean epollAvailable() {
        try {
            return Epoll.isAvailable();
        } catch (Throwable unavailable) {
            return false;
        }
    }

    /** {@code "epoll"} or {@code "nio"}, named as taps names it. */
    public static String transportName() {
        return EPOLL ? "epoll" : "nio";
    }

    /** A group of {@code threads} event loops on the chosen transport. */
    public static EventLoopGroup group(int threads) {
        IoHandlerFactory factory = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, factory);
    }

    /** Stops a group at once (no quiet period) and waits for it. */
    public static void shutdown(EventLoopGroup group) {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static Class<? extends SocketChannel> socketChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    static Class<? extends ServerSocketChannel> serverSocketChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends DatagramChannel> datagramChannel() {
        return EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** Bytes {@code 0, 1, 2, ...} of the given size. */
    public static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    /** A pooled buffer holding a copy of {@code bytes}: what an application sending a byte[] does with Netty. */
    public static ByteBuf copy(ByteBufAllocator alloc, byte[] bytes) {
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    /** Adds the 4-byte length-prefix codec (the format of the framed benchmarks) to a pipeline. */
    public static void addLengthPrefixCodec(ChannelPipeline pipeline) {
        pipeline.addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, LENGTH_FIELD, 0, LENGTH_FIELD));
        pipeline.addLast(new LengthFieldPrepender(LENGTH_FIELD));
    }

    // ------------------------------------------------------------------------------------- servers

    /** A raw Netty server on 127.0.0.1 and an ephemeral port, with its own one-thread event loop. */
    public static final class Server implements AutoCloseable {
        private final EventLoopGroup group;
        private final Channel channel;
        /** The same service on [::1] and the same port, or null when the server listens on 127.0.0.1 only. */
        private final Channel channel6;
        private final HandshakeCounter handshakes;

        private Server(EventLoopGroup group, Channel channel, HandshakeCounter handshakes) {
            this(group, channel, null, handshakes);
        }

        private Server(EventLoopGroup group, Channel channel, Channel channel6, HandshakeCounter handshakes) {
            this.group = group;
            this.channel = channel;
            this.channel6 = channel6;
            this.handshakes = handshakes;
        }

        public int port() {
            return ((InetSocketAddress) channel.localAddress()).getPort();
        }

        public InetSocketAddress address() {
            return new InetSocketAddress(HOST, port());
        }

        /** TLS handshakes the server completed successfully (0 for a cleartext server). */
        public long handshakes() {
            return handshakes.full.get() + handshakes.resumed.get();
        }

        /** Of those, the handshakes that resumed a session (detected with BoringSSL only; 0 on the JDK provider). */
        public long resumedSessions() {
            return handshakes.resumed.get();
        }

        /**
         * The address taps' race wins when it resolves {@link #LOOPBACK_NAME} to both families: [::1]
         * (RFC 6724 puts it first), carrying the name {@code localhost}, so a raw client connecting here
         * does the kernel work taps does (IPv6 loopback costs more per connection than IPv4: measured
         * 8,112 vs 8,407 connect + close per second, back to back, pinned) and sends and verifies the
         * name taps does ({@link #clientTls(SslContext, Channel, InetSocketAddress)}).
         */
        public InetSocketAddress raceWinner() {
            if (!bothFamilies()) {
                throw new IllegalStateException("the server does not listen on [::1]");
            }
            try {
                return new InetSocketAddress(java.net.InetAddress.getByAddress(LOOPBACK_NAME,
                        java.net.InetAddress.getByName(HOST6).getAddress()), port());
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Whether the server also listens on [::1] at {@link #port()}: a client may reach it on either family. */
        public boolean bothFamilies() {
            return channel6 != null;
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
            if (channel6 != null) {
                channel6.close().syncUninterruptibly();
            }
            shutdown(group);
        }
    }

    /**
     * TCP, optionally TLS: reads and drops everything; closes when the client closes (no
     * half-closure), so a client waiting for the peer's FIN sees it at once. It listens on
     * 127.0.0.1 and on [::1] at the same port, so that a client racing both loopback families
     * gets a real connection from whichever attempt wins.
     */
    public static Server discardServer(SslContext tls) {
        return tcpServer(tls, pipeline -> pipeline.addLast(new Discard()), true);
    }

    /**
     * TCP, optionally TLS: echoes every 4-byte length-prefixed frame, writing as frames arrive and
     * flushing once per read burst (as the baselines in platform-notes §2 do).
     */
    public static Server framedEchoServer(SslContext tls) {
        return tcpServer(tls, pipeline -> {
            addLengthPrefixCodec(pipeline);
            pipeline.addLast(new Echo());
        });
    }

    /** {@link #framedEchoServer(SslContext)} that counts the connections it accepts (the scale benchmark's server). */
    public static Server framedEchoServer(SslContext tls, AtomicLong accepted) {
        return tcpServer(tls, pipeline -> {
            accepted.incrementAndGet();
            addLengthPrefixCodec(pipeline);
            pipeline.addLast(new Echo());
        });
    }

    /** UDP: sends every datagram back to where it came from. */
    public static Server udpEchoServer() {
        return udpServer(new UdpEcho());
    }

    /** A UDP socket on 127.0.0.1 and an ephemeral port whose pipeline is {@code handler}. */
    static Server udpServer(ChannelHandler handler) {
        EventLoopGroup group = group(1);
        Channel channel = new Bootstrap().group(group).channel(datagramChannel())
                .handler(handler)
                .bind(HOST, 0).syncUninterruptibly().channel();
        return new Server(group, channel, new HandshakeCounter());
    }

    /** A handler that writes back every frame it reads, flushing once per read burst. */
    static ChannelHandler echo() {
        return new Echo();
    }

    private static Server tcpServer(SslContext tls, Consumer<ChannelPipeline> application) {
        return tcpServer(tls, application, false);
    }

    private static Server tcpServer(SslContext tls, Consumer<ChannelPipeline> application, boolean bothFamilies) {
        EventLoopGroup group = group(1);
        HandshakeCounter handshakes = new HandshakeCounter();
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(serverSocketChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()), handshakes);
                        }
                        application.accept(ch.pipeline());
                    }
                });
        if (!bothFamilies) {
            return new Server(group, bootstrap.bind(HOST, 0).syncUninterruptibly().channel(), handshakes);
        }
        // The port 127.0.0.1 got may be taken on [::1] by another process: try a few ports.
        RuntimeException last = null;
        for (int tries = 0; tries < 10; tries++) {
            Channel v4 = bootstrap.bind(HOST, 0).syncUninterruptibly().channel();
            int port = ((InetSocketAddress) v4.localAddress()).getPort();
            try {
                Channel v6 = bootstrap.bind(HOST6, port).syncUninterruptibly().channel();
                return new Server(group, v4, v6, handshakes);
            } catch (RuntimeException taken) {
                last = taken;
                v4.close().syncUninterruptibly();
            }
        }
        shutdown(group);
        throw new IllegalStateException("could not listen on 127.0.0.1 and [::1] at the same port (is IPv6"
                + " loopback up?): " + last, last);
    }

    @ChannelHandler.Sharable
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Writes back what it reads, flushing once per read burst. */
    private static class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(reply(msg), ctx.voidPromise());
        }

        /** What goes back for {@code msg}: the same frame. */
        Object reply(Object msg) {
            return msg;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Echoes each datagram to its sender. */
    private static final class UdpEcho extends Echo {
        @Override
        Object reply(Object msg) {
            DatagramPacket packet = (DatagramPacket) msg;
            return new DatagramPacket(packet.content(), packet.sender());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A datagram socket outlives a failed send (e.g. ICMP port unreachable): keep serving.
        }
    }

    /** Counts a server's successful TLS handshakes, full and resumed. */
    @ChannelHandler.Sharable
    private static final class HandshakeCounter extends ChannelInboundHandlerAdapter {
        final AtomicLong full = new AtomicLong();
        final AtomicLong resumed = new AtomicLong();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent && ((SslHandshakeCompletionEvent) evt).isSuccess()) {
                SSLEngine engine = ctx.pipeline().get(SslHandler.class).engine();
                boolean reused = engine instanceof ReferenceCountedOpenSslEngine
                        && SSL.isSessionReused(((ReferenceCountedOpenSslEngine) engine).sslPointer());
                (reused ? resumed : full).incrementAndGet();
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    // ------------------------------------------------------------------------------------- clients

    /** A TCP client bootstrap on {@code group}: {@code TCP_NODELAY}, default allocator, {@code init} builds the pipeline. */
    public static Bootstrap tcpClient(EventLoopGroup group, Consumer<Channel> init) {
        return new Bootstrap().group(group).channel(socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        init.accept(ch);
                    }
                });
    }

    /** A UDP client bootstrap on {@code group}; {@code init} builds the pipeline. */
    public static Bootstrap udpClient(EventLoopGroup group, Consumer<Channel> init) {
        return new Bootstrap().group(group).channel(datagramChannel())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        init.accept(ch);
                    }
                });
    }

    /** Waits for the channel's TLS handshake; throws if it failed. */
    public static void handshake(Channel ch) {
        ch.pipeline().get(SslHandler.class).handshakeFuture().syncUninterruptibly();
    }

    /** A client-side TLS handler for {@code server} (SNI and hostname verification against 127.0.0.1). */
    public static SslHandler clientTls(SslContext tls, Channel ch, Server server) {
        return tls.newHandler(ch.alloc(), HOST, server.port());
    }

    /** A client-side TLS handler for {@code target}: SNI and hostname verification against its host string. */
    public static SslHandler clientTls(SslContext tls, Channel ch, InetSocketAddress target) {
        return tls.newHandler(ch.alloc(), target.getHostString(), target.getPort());
    }
}

package io.taps.internal.security;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.internal.tcnative.SSL;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.taps.security.SecurityParameters;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A minimal raw-Netty TLS echo server and client over real loopback sockets (NIO). */
final class TlsPeers implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

    /** A server handshake outcome: null cause means success. */
    static final class Outcome {
        final Throwable cause;
        /** Whether the handshake resumed a session; only a BoringSSL server can tell (false otherwise). */
        final boolean resumed;

        Outcome(Throwable cause, boolean resumed) {
            this.cause = cause;
            this.resumed = resumed;
        }
    }

    final class Server implements AutoCloseable {
        final Channel channel;
        final LinkedBlockingQueue<Outcome> handshakes = new LinkedBlockingQueue<>();

        Server(SslContext ctx, String bindAddress) throws InterruptedException {
            ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            SslHandler ssl = TlsHandlers.newServerHandler(ctx, ch.alloc(), TIMEOUT);
                            ch.pipeline().addLast(ssl, new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext c, Object msg) {
                                    c.writeAndFlush(msg); // echo
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
                                    c.close();
                                }
                            });
                            ssl.handshakeFuture().addListener(f -> handshakes.add(new Outcome(f.cause(), f.isSuccess() && resumed(ssl))));
                        }
                    });
            channel = b.bind(bindAddress, 0).sync().channel();
        }

        int port() {
            return ((InetSocketAddress) channel.localAddress()).getPort();
        }

        private boolean resumed(SslHandler ssl) {
            return ssl.engine() instanceof ReferenceCountedOpenSslEngine
                    && SSL.isSessionReused(((ReferenceCountedOpenSslEngine) ssl.engine()).sslPointer());
        }

        Outcome nextHandshake() throws InterruptedException {
            Outcome o = handshakes.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (o == null) {
                throw new AssertionError("server handshake did not finish in time");
            }
            return o;
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
        }
    }

    final class Client implements AutoCloseable {
        final Channel channel;
        final SslHandler handler;
        final CompletableFuture<Optional<String>> handshake;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private volatile CompletableFuture<byte[]> pending;
        private volatile int expected;

        Client(SslContext ctx, SecurityParameters params, String host, String connectAddress, int port)
                throws InterruptedException {
            SslHandler[] holder = new SslHandler[1];
            Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            holder[0] = TlsHandlers.newClientHandler(ctx, ch.alloc(), params, host, port, TIMEOUT);
                            ch.pipeline().addLast(holder[0], new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext c, Object msg) {
                                    try {
                                        ByteBuf buf = (ByteBuf) msg;
                                        synchronized (received) {
                                            byte[] bytes = new byte[buf.readableBytes()];
                                            buf.readBytes(bytes);
                                            received.writeBytes(bytes);
                                            CompletableFuture<byte[]> p = pending;
                                            if (p != null && received.size() >= expected) {
                                                p.complete(received.toByteArray());
                                            }
                                        }
                                    } finally {
                                        ReferenceCountUtil.release(msg);
                                    }
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
                                    CompletableFuture<byte[]> p = pending;
                                    if (p != null) {
                                        p.completeExceptionally(cause);
                                    }
                                    c.close();
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext c) {
                                    CompletableFuture<byte[]> p = pending;
                                    if (p != null) {
                                        p.completeExceptionally(new IllegalStateException("closed"));
                                    }
                                    closed.complete(null);
                                }
                            });
                        }
                    });
            channel = b.connect(connectAddress, port).sync().channel();
            handler = holder[0];
            handshake = TlsHandlers.handshake(handler, params).toCompletableFuture();
        }

        /** Sends {@code data} and waits until the same number of bytes came back. */
        byte[] echo(byte[] data) throws Exception {
            CompletableFuture<byte[]> p = new CompletableFuture<>();
            synchronized (received) {
                received.reset();
                expected = data.length;
                pending = p;
            }
            channel.writeAndFlush(Unpooled.wrappedBuffer(data));
            return p.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }

        Optional<String> awaitHandshake() throws Exception {
            return handshake.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }

        Throwable awaitHandshakeFailure() throws Exception {
            try {
                Optional<String> ok = handshake.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                throw new AssertionError("handshake unexpectedly succeeded (alpn " + ok + ")");
            } catch (java.util.concurrent.ExecutionException e) {
                return e.getCause();
            }
        }

        boolean awaitClosed() throws Exception {
            try {
                closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            }
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
        }
    }

    Server server(SslContext ctx) throws InterruptedException {
        return new Server(ctx, "127.0.0.1");
    }

    Client client(SslContext ctx, SecurityParameters params, String host, int port) throws InterruptedException {
        return new Client(ctx, params, host, "127.0.0.1", port);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

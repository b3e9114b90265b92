package io.taps.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;

/**
 * The proxy of the "connect via SOCKS5 proxy" figure: an in-process SOCKS5 server (RFC 1928, no
 * authentication, CONNECT only) on Netty's {@code netty-codec-socks}, on its own one-thread event
 * loop. It answers the greeting and the CONNECT, opens the upstream connection, replies success
 * once it is up, then relays bytes both ways; when either side closes, it closes both. The taps and
 * the raw Netty client go through the same relay to the same server, so the figure compares the
 * clients. (Debian's dante-server, which the tests use, would add a process and its scheduling to
 * a figure that is about the client library; the JMH run needs no root.)
 */
final class Socks5Relay implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel listening;

    private Socks5Relay(EventLoopGroup group, Channel listening) {
        this.group = group;
        this.listening = listening;
    }

    /** A relay on 127.0.0.1 and an ephemeral port. */
    static Socks5Relay start() {
        EventLoopGroup group = NettyFixture.group(1);
        Channel channel = new ServerBootstrap().group(group).channel(NettyFixture.serverSocketChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Socks5ServerEncoder.DEFAULT, new Socks5InitialRequestDecoder(),
                                new Handshake());
                    }
                })
                .bind(NettyFixture.HOST, 0).syncUninterruptibly().channel();
        return new Socks5Relay(group, channel);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listening.localAddress();
    }

    @Override
    public void close() {
        listening.close().syncUninterruptibly();
        NettyFixture.shutdown(group);
    }

    /** Greeting (no authentication), then one CONNECT. */
    private static final class Handshake extends SimpleChannelInboundHandler<Object> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object message) {
            if (message instanceof Socks5InitialRequest) {
                ctx.pipeline().replace(Socks5InitialRequestDecoder.class, "command", new Socks5CommandRequestDecoder());
                ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.NO_AUTH));
            } else if (message instanceof Socks5CommandRequest request && request.type() == Socks5CommandType.CONNECT) {
                connect(ctx, request);
            } else {
                ctx.close();
            }
        }

        private void connect(ChannelHandlerContext ctx, Socks5CommandRequest request) {
            Channel inbound = ctx.channel();
            inbound.config().setAutoRead(false);
            new Bootstrap().group(inbound.eventLoop()).channel(NettyFixture.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new Pipe(inbound))
                    .connect(request.dstAddr(), request.dstPort()).addListener((ChannelFutureListener) done -> {
                        if (!done.isSuccess()) {
                            inbound.writeAndFlush(new DefaultSocks5CommandResponse(Socks5CommandStatus.FAILURE,
                                    Socks5AddressType.IPv4)).addListener(ChannelFutureListener.CLOSE);
                            return;
                        }
                        Channel outbound = done.channel();
                        inbound.writeAndFlush(new DefaultSocks5CommandResponse(Socks5CommandStatus.SUCCESS,
                                Socks5AddressType.IPv4)).addListener((ChannelFutureListener) replied -> {
                                    if (!replied.isSuccess()) {
                                        outbound.close();
                                        return;
                                    }
                                    inbound.pipeline().remove(Socks5ServerEncoder.class);
                                    inbound.pipeline().remove("command");
                                    inbound.pipeline().replace(Handshake.this, "pipe", new Pipe(outbound));
                                    inbound.config().setAutoRead(true);
                                });
                    });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Writes what one side reads to the other; closing either closes both. */
    private static final class Pipe extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Pipe(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (peer.isActive()) {
                peer.writeAndFlush(message);
            } else {
                ReferenceCountUtil.release(message);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer.isActive()) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

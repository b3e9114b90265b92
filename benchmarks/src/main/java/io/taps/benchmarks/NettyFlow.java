package io.taps.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The raw Netty client of a {@link Flow}: one channel on its own one-thread event loop; each send
 * copies the application's byte array into a pooled buffer and writes it. A send made while a
 * response is read (the steady state: the next request goes out from the response's channelRead)
 * is flushed once at the read's channelReadComplete, as the fixture's echo server and idiomatic
 * Netty handlers do; any other send is written and flushed at once. That is the flush policy taps
 * has (its framer holds the flushes of the Messages sent while it delivers one read and flushes
 * them once at the end of that read), so both clients make the same system calls for the same
 * traffic: with 64 requests outstanding (figure 3) a flush per message would cost the raw client
 * one send(2) per response where taps makes one per read, which would measure the flush policy and
 * not the library. With 1 outstanding both flush once per response either way. TCP and TLS
 * requests go through {@code LengthFieldPrepender}/{@code LengthFieldBasedFrameDecoder} (4-byte
 * big-endian length), TLS through an {@code SslHandler} on the same provider taps uses.
 */
public abstract class NettyFlow extends Flow {
    private EventLoopGroup group;
    private Channel channel;
    /** The QUIC connection whose stream {@link #channel} is, for figure 7. */
    private QuicChannel quic;
    private byte[] request;
    private boolean completesOnWrite;
    /** Inside {@link Responses#channelRead} (event loop only): a send there writes, and the read's channelReadComplete flushes. */
    private boolean inRead;
    private boolean flushPending;
    private final ChannelFutureListener writeDone = future -> {
        if (future.isSuccess()) {
            completed();
        } else {
            failed(future.cause());
        }
    };

    @Override
    protected void open(Workload workload, NettyFixture.Server server) {
        group = NettyFixture.group(1);
        request = NettyFixture.pattern(workload.unitBytes());
        completesOnWrite = workload == Workload.BULK;
        boolean tls = workload.secure();
        Consumer<Channel> init = ch -> {
            if (tls) {
                ch.pipeline().addLast(NettyFixture.clientTls(Tls.clientContext(), ch, server));
            }
            if (workload.framed()) {
                NettyFixture.addLengthPrefixCodec(ch.pipeline());
            }
            ch.pipeline().addLast(new Responses());
        };
        if (workload == Workload.QUIC) {
            openQuicStream(server, init);
            return;
        }
        if (workload == Workload.DTLS) {
            openDtls(server);
            return;
        }
        if (workload == Workload.QUIC_DATAGRAM) {
            // Figure 7d: the QUIC connection channel itself carries DATAGRAM frames both ways.
            try {
                quic = Quic.connectDatagrams(group, server, init);
                channel = quic;
            } catch (RuntimeException e) {
                NettyFixture.shutdown(group);
                throw e;
            }
            return;
        }
        Bootstrap bootstrap = workload == Workload.UDP ? NettyFixture.udpClient(group, init)
                : NettyFixture.tcpClient(group, init);
        try {
            channel = bootstrap.connect(server.address()).syncUninterruptibly().channel();
            if (tls) {
                NettyFixture.handshake(channel);
            }
        } catch (RuntimeException e) {
            NettyFixture.shutdown(group);
            throw e;
        }
    }

    /** Figure 11: a UDP channel connected to the server with the raw JDK-engine DTLS handler. */
    private void openDtls(NettyFixture.Server server) {
        try {
            io.netty.util.concurrent.Promise<Void> handshake = group.next().newPromise();
            channel = NettyFixture.udpClient(group, ch -> {
                ch.pipeline().addLast(Dtls.clientHandler(ch.alloc(), handshake));
                ch.pipeline().addLast(new Responses());
            }).connect(server.address()).syncUninterruptibly().channel();
            if (!handshake.awaitUninterruptibly(TapsFixture.TIMEOUT_SECONDS, TimeUnit.SECONDS) || !handshake.isSuccess()) {
                throw new IllegalStateException("raw DTLS handshake failed", handshake.cause());
            }
        } catch (RuntimeException e) {
            NettyFixture.shutdown(group);
            throw e;
        }
    }

    /** Figure 7: a QUIC connection and one bidirectional stream on it, which carries the flow. */
    private void openQuicStream(NettyFixture.Server server, Consumer<Channel> init) {
        try {
            quic = Quic.connect(group, server);
            channel = quic.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInitializer<QuicStreamChannel>() {
                @Override
                protected void initChannel(QuicStreamChannel ch) {
                    init.accept(ch);
                }
            }).get(TapsFixture.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (quic != null) {
                quic.parent().close();
            }
            NettyFixture.shutdown(group);
            throw new IllegalStateException("raw QUIC stream setup failed: " + e, e);
        }
    }

    @Override
    protected void send() {
        ByteBuf buffer = NettyFixture.copy(channel.alloc(), request);
        if (completesOnWrite) {
            channel.writeAndFlush(buffer).addListener(writeDone);
        } else if (inRead && channel.eventLoop().inEventLoop()) {
            // A request sent from a response's channelRead: one flush when the read is done (below).
            // Only on the loop: the benchmark thread starts the next batch while the loop may still
            // be inside the channelRead that completed the last one.
            channel.write(buffer, channel.voidPromise());
            flushPending = true;
        } else {
            channel.writeAndFlush(buffer, channel.voidPromise());
        }
    }

    @Override
    protected void closeClient() {
        try {
            channel.close().syncUninterruptibly();
            if (quic != null) {
                quic.close().syncUninterruptibly();
                quic.parent().close().syncUninterruptibly();
            }
        } finally {
            NettyFixture.shutdown(group);
        }
    }

    /** Counts each decoded frame or datagram as one response. */
    private final class Responses extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            inRead = true;
            try {
                completed();
            } finally {
                inRead = false;
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (flushPending) {
                flushPending = false;
                ctx.channel().flush();
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed(cause);
            ctx.close();
        }
    }
}

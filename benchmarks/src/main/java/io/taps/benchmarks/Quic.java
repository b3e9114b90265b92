package io.taps.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.quic.InsecureQuicTokenHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.util.concurrent.TimeUnit;

/**
 * QUIC for figure 7: the raw Netty QUIC echo server both clients talk to, and the raw client's
 * codec. Transport parameters follow platform-notes §3 (64 MiB connection data, 16 MiB per stream,
 * 1000 bidirectional streams, 10 s idle timeout); TLS 1.3 with the benchmark certificates of
 * {@link Tls} and the ALPN {@link #ALPN}.
 */
public final class Quic {
    /** The application protocol both sides offer; QUIC requires one (RFC 9001 §8.1). */
    public static final String ALPN = "taps-bench";

    private Quic() {
    }

    /**
     * A QUIC server on 127.0.0.1 and an ephemeral UDP port: every bidirectional stream echoes
     * each 4-byte length-prefixed frame, flushing once per read burst.
     */
    public static NettyFixture.Server echoServer() {
        QuicSslContext tls = QuicSslContextBuilder.forServer(Tls.serverKey(), null, Tls.serverCertificatePath())
                .applicationProtocols(ALPN).build();
        ChannelHandler codec = transportParameters(new QuicServerCodecBuilder())
                .sslContext(tls)
                .tokenHandler(InsecureQuicTokenHandler.INSTANCE)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        // Streams carry the traffic; the connection channel needs no handler of its own.
                    }
                })
                .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel ch) {
                        NettyFixture.addLengthPrefixCodec(ch.pipeline());
                        ch.pipeline().addLast(NettyFixture.echo());
                    }
                })
                .build();
        return NettyFixture.udpServer(codec);
    }

    /**
     * The raw client's codec for a UDP channel to {@code server}: trusts the benchmark root, offers
     * {@link #ALPN}, and verifies the server's name (127.0.0.1) as the TCP clients do; Netty's QUIC
     * engine verifies the peer's name by default and fails without one.
     */
    public static ChannelHandler clientCodec(NettyFixture.Server server) {
        QuicSslContext tls = QuicSslContextBuilder.forClient().trustManager(Tls.rootCertificate())
                .applicationProtocols(ALPN).build();
        return transportParameters(new QuicClientCodecBuilder()).sslContext(tls)
                .sslEngineProvider(quic -> tls.newEngine(quic.alloc(), NettyFixture.HOST, server.port())).build();
    }

    /** Connects a QUIC connection over a fresh UDP channel of {@code group} to {@code server}. */
    public static QuicChannel connect(EventLoopGroup group, NettyFixture.Server server) {
        Channel udp = new Bootstrap().group(group).channel(NettyFixture.datagramChannel()).handler(clientCodec(server))
                .bind(0).syncUninterruptibly().channel();
        try {
            return QuicChannel.newBootstrap(udp).remoteAddress(server.address())
                    .handler(new ChannelInitializer<QuicChannel>() {
                        @Override
                        protected void initChannel(QuicChannel ch) {
                            // Only the client's own stream carries traffic.
                        }
                    })
                    .connect().get(TapsFixture.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            udp.close();
            throw new IllegalStateException("raw QUIC connect to " + server.address() + " failed: " + e, e);
        }
    }

    /** Queued DATAGRAM frames each way (RFC 9221), as platform-notes' QUIC datagram recipe. */
    private static final int DATAGRAM_QUEUE = 128;

    /**
     * Figure 7d: a QUIC server that echoes every DATAGRAM frame (RFC 9221) on its connection
     * channel, flushing each; no streams.
     */
    public static NettyFixture.Server datagramEchoServer() {
        QuicSslContext tls = QuicSslContextBuilder.forServer(Tls.serverKey(), null, Tls.serverCertificatePath())
                .applicationProtocols(ALPN).build();
        ChannelHandler codec = transportParameters(new QuicServerCodecBuilder())
                .datagram(DATAGRAM_QUEUE, DATAGRAM_QUEUE)
                .sslContext(tls)
                .tokenHandler(InsecureQuicTokenHandler.INSTANCE)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof io.netty.buffer.ByteBuf) {
                                    ctx.writeAndFlush(msg);
                                } else {
                                    io.netty.util.ReferenceCountUtil.release(msg);
                                }
                            }
                        });
                    }
                })
                .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel ch) {
                        ch.close();
                    }
                })
                .build();
        return NettyFixture.udpServer(codec);
    }

    /**
     * Figure 7d, raw client: a QUIC connection with the DATAGRAM extension to {@code server}, whose
     * connection channel {@code init} sets up (its DATAGRAM frames arrive there as ByteBufs).
     */
    public static QuicChannel connectDatagrams(EventLoopGroup group, NettyFixture.Server server,
            java.util.function.Consumer<Channel> init) {
        QuicSslContext tls = QuicSslContextBuilder.forClient().trustManager(Tls.rootCertificate())
                .applicationProtocols(ALPN).build();
        ChannelHandler codec = transportParameters(new QuicClientCodecBuilder())
                .datagram(DATAGRAM_QUEUE, DATAGRAM_QUEUE).sslContext(tls)
                .sslEngineProvider(quic -> tls.newEngine(quic.alloc(), NettyFixture.HOST, server.port())).build();
        Channel udp = new Bootstrap().group(group).channel(NettyFixture.datagramChannel()).handler(codec)
                .bind(0).syncUninterruptibly().channel();
        try {
            return QuicChannel.newBootstrap(udp).remoteAddress(server.address())
                    .handler(new ChannelInitializer<QuicChannel>() {
                        @Override
                        protected void initChannel(QuicChannel ch) {
                            init.accept(ch);
                        }
                    })
                    .connect().get(TapsFixture.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            udp.close();
            throw new IllegalStateException("raw QUIC datagram connect to " + server.address() + " failed: " + e, e);
        }
    }

    private static <B extends QuicCodecBuilder<B>> B transportParameters(B builder) {
        return builder.maxIdleTimeout(10, TimeUnit.SECONDS)
                .initialMaxData(64L << 20)
                .initialMaxStreamDataBidirectionalLocal(16L << 20)
                .initialMaxStreamDataBidirectionalRemote(16L << 20)
                .initialMaxStreamsBidirectional(1000);
    }
}

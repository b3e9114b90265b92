package io.taps.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import io.taps.security.SecurityParameters;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * DTLS 1.2 for the "DTLS 64 B request/response" figure: the raw baseline is the JDK's own
 * {@code SSLEngine("DTLS")} driven by a minimal Netty handler ({@link RawDtls}), with no taps code,
 * on both the echo server (one engine per sender; the engine does the HelloVerifyRequest cookie
 * exchange itself) and the raw client. Loopback loses nothing, so neither side arms a
 * retransmission timer. Certificates are those of {@link Tls}.
 */
public final class Dtls {
    private Dtls() {
    }

    /** The taps client's parameters: DTLS 1.2 (the JDK has no DTLS 1.3), trusting the benchmark root, verified. */
    public static SecurityParameters tapsClient() {
        return SecurityParameters.builder().trustAnchors(Tls.rootCertificate()).build();
    }

    /** A DTLS echo server on 127.0.0.1: every decrypted datagram goes back to its sender as one record. */
    public static NettyFixture.Server echoServer() {
        SSLContext context = context(true);
        return NettyFixture.udpServer(new ChannelInboundHandlerAdapter() {
            private final Map<InetSocketAddress, RawDtls> peers = new HashMap<>();

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                DatagramPacket packet = (DatagramPacket) msg;
                InetSocketAddress sender = packet.sender();
                RawDtls peer = peers.computeIfAbsent(sender, s -> {
                    SSLEngine engine = context.createSSLEngine();
                    engine.setUseClientMode(false);
                    return new RawDtls(engine, ctx.alloc(), out -> ctx.writeAndFlush(new DatagramPacket(out, s)));
                });
                try {
                    peer.receive(packet.content(), plain -> {
                        try {
                            ctx.writeAndFlush(new DatagramPacket(peer.seal(plain), sender));
                        } catch (SSLException e) {
                            throw new IllegalStateException(e);
                        } finally {
                            plain.release();
                        }
                    });
                } finally {
                    packet.release();
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // A datagram socket outlives a failed peer: keep serving.
            }
        });
    }

    /** The raw client's handler for a UDP channel connected to the server: hands plaintext datagrams on. */
    public static ClientHandler clientHandler(ByteBufAllocator alloc, Promise<Void> handshake) {
        SSLEngine engine = context(false).createSSLEngine(NettyFixture.HOST, 0);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return new ClientHandler(engine, alloc, handshake);
    }

    /** The DTLS layer of the raw client: seals each written buffer into one record, opens each received one. */
    public static final class ClientHandler extends ChannelDuplexHandler {
        private final SSLEngine engine;
        private final ByteBufAllocator alloc;
        private final Promise<Void> handshake;
        private RawDtls dtls;

        ClientHandler(SSLEngine engine, ByteBufAllocator alloc, Promise<Void> handshake) {
            this.engine = engine;
            this.alloc = alloc;
            this.handshake = handshake;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            dtls = new RawDtls(engine, alloc, out -> ctx.writeAndFlush(out));
            dtls.begin();
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket packet = (DatagramPacket) msg;
            try {
                dtls.receive(packet.content(), ctx::fireChannelRead);
                if (!handshake.isDone() && dtls.established()) {
                    handshake.setSuccess(null);
                }
            } catch (RuntimeException e) {
                handshake.tryFailure(e);
            } finally {
                packet.release();
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            ByteBuf plain = (ByteBuf) msg;
            try {
                ctx.write(dtls.seal(plain), promise);
            } finally {
                plain.release();
            }
        }
    }

    /** One association on a JDK DTLS engine: handshake, one record per message, every record of a datagram opened. */
    static final class RawDtls {
        private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
        private final SSLEngine engine;
        private final ByteBufAllocator alloc;
        private final Consumer<ByteBuf> output;

        RawDtls(SSLEngine engine, ByteBufAllocator alloc, Consumer<ByteBuf> output) {
            this.engine = engine;
            this.alloc = alloc;
            this.output = output;
        }

        void begin() throws SSLException {
            engine.beginHandshake();
            drive();
        }

        boolean established() {
            return engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                    && !engine.getSession().getCipherSuite().startsWith("SSL_NULL");
        }

        void receive(ByteBuf datagram, Consumer<ByteBuf> plaintext) {
            ByteBuffer src = datagram.nioBuffer();
            try {
                while (src.hasRemaining()) {
                    ByteBuf app = alloc.buffer(engine.getSession().getApplicationBufferSize());
                    SSLEngineResult result = engine.unwrap(src, app.nioBuffer(0, app.capacity()));
                    if (result.bytesProduced() > 0) {
                        app.writerIndex(result.bytesProduced());
                        plaintext.accept(app);
                    } else {
                        app.release();
                    }
                    drive();
                    if (result.bytesConsumed() == 0 || result.getStatus() == SSLEngineResult.Status.CLOSED) {
                        break;
                    }
                }
            } catch (SSLException e) {
                throw new IllegalStateException(e);
            }
        }

        ByteBuf seal(ByteBuf plain) throws SSLException {
            ByteBuf out = alloc.buffer(engine.getSession().getPacketBufferSize());
            SSLEngineResult result = engine.wrap(plain.nioBuffer(), out.nioBuffer(0, out.capacity()));
            out.writerIndex(result.bytesProduced());
            return out;
        }

        private void drive() throws SSLException {
            for (int i = 0; i < 64; i++) {
                HandshakeStatus status = engine.getHandshakeStatus();
                if (status == HandshakeStatus.NEED_TASK) {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                } else if (status == HandshakeStatus.NEED_WRAP) {
                    ByteBuf out = alloc.buffer(engine.getSession().getPacketBufferSize());
                    SSLEngineResult result = engine.wrap(EMPTY, out.nioBuffer(0, out.capacity()));
                    if (result.bytesProduced() > 0) {
                        out.writerIndex(result.bytesProduced());
                        output.accept(out);
                    } else {
                        out.release();
                    }
                } else if (status == HandshakeStatus.NEED_UNWRAP_AGAIN) {
                    engine.unwrap(EMPTY, ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()));
                } else {
                    return;
                }
            }
        }
    }

    private static SSLContext context(boolean server) {
        try {
            SSLContext context = SSLContext.getInstance("DTLS");
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            if (server) {
                store.setKeyEntry("server", Tls.serverKey(), new char[0], Tls.serverCertificatePath());
                KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, new char[0]);
                context.init(keys.getKeyManagers(), null, null);
            } else {
                store.setCertificateEntry("root", Tls.rootCertificate());
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
                context.init(null, trust.getTrustManagers(), null);
            }
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the benchmark DTLS context: " + e, e);
        }
    }
}

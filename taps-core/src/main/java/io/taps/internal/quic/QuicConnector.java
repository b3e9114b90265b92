package io.taps.internal.quic;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClosedChannelException;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.codec.quic.SslEarlyDataReadyEvent;
import io.netty.buffer.Unpooled;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.security.TlsHandlers;
import io.taps.internal.stack.ConnectionHandler;
import io.taps.internal.stack.StackEnvironment;
import io.taps.internal.stack.TapsAttempt;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * Starts one QUIC attempt of a race (RFC 9623 §4.4.1, design.md ): a UDP socket (epoll or
 * NIO, per the engine's transport) with Netty's QUIC client codec, a QUIC handshake to one address
 * with the TLS 1.3 identity and trust checks of the Preconnection's SecurityParameters, then the
 * first bidirectional stream with new framer instances. The attempt succeeds when the handshake is
 * done, a common ALPN protocol was agreed, the stream exists and every framer is ready; its
 * Connection is that stream. A losing or cancelled attempt closes its QUIC connection and socket.
 */
final class QuicConnector {
    private final IoTransport transport;
    private final Executor eventExecutor;
    private final Consumer<TapsConnection> tracker;
    private final Executor blocking;

    /** The environment's tracker sees every Connection a session opens later (clone), so engine shutdown closes it. */
    QuicConnector(StackEnvironment environment) {
        this.transport = environment.transport();
        this.eventExecutor = environment.eventExecutor();
        this.tracker = environment.tracker();
        this.blocking = environment.blocking();
    }

    /**
     * Starts {@code attempt}. The QUIC client context comes from the attempt's cache scope; a
     * safelyReplayable InitiateWithSend message goes out as 0-RTT data if a session can be resumed.
     */
    void connect(TapsAttempt attempt) {
        // Building a context (an isolated scope's first, one per attempt under maxCachedSessions(0))
        // reads key material and trust anchors: off the event loop, then on with the attempt there.
        attempt.scope().quicClientContext(attempt.use().security(), blocking).whenComplete((context, failure) ->
                TapsAttempt.onLoop(attempt.eventLoop(), () -> {
                    if (failure != null) {
                        attempt.outcome().completeExceptionally(failure instanceof CompletionException
                                && failure.getCause() != null ? failure.getCause() : failure);
                    } else if (!attempt.outcome().isDone()) {
                        connect(attempt, context);
                    }
                }));
    }

    private void connect(TapsAttempt attempt, QuicSslContext sslContext) {
        EventLoop loop = attempt.eventLoop();
        InetSocketAddress remote = attempt.remote();
        InetSocketAddress local = attempt.local();
        SecurityParameters security = attempt.use().security();
        TransportProperties properties = attempt.use().properties();
        Duration timeout = attempt.timeout();
        List<FramerFactory> framers = attempt.framers();
        String peerName = attempt.peerName();
        String serverName = serverName(security, peerName);
        ChannelHandler codec = QuicTransportSettings.apply(new QuicClientCodecBuilder(), properties)
                .sslEngineProvider(quic -> sslContext.newEngine(quic.alloc(), serverName, remote.getPort()))
                .build();
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(transport.datagramChannel())
                .handler(QuicServerSockets.withErrorSink(codec));
        InetSocketAddress bindTo = local != null ? local
                : new InetSocketAddress(remote.getAddress() instanceof Inet6Address ? "::" : "0.0.0.0", 0);
        // Connected, so that the kernel picks the source address now: the socket then knows its real
        // local address (the Connection's LocalEndpoint, and PathChange matching) instead of the wildcard.
        ChannelFuture binding = bootstrap.connect(remote, bindTo);
        Channel socket = binding.channel();
        attempt.onCancel(socket::close);
        // Early data needs the message's bytes as they go on the wire: without framers that is the message.
        Attempting state = new Attempting(attempt, socket, remote, security, properties, framers,
                framers.isEmpty() ? attempt.earlyData().orElse(null) : null);
        binding.addListener(bound -> {
            if (!bound.isSuccess()) {
                fail(attempt, remote, bound.cause());
                return;
            }
            if (attempt.outcome().isDone()) {
                socket.close();
                return;
            }
            QuicChannel.newBootstrap(socket)
                    .handler(state)
                    .streamHandler(PeerStreamRefuser.INSTANCE)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                    .remoteAddress(remote)
                    .connect()
                    .addListener(connected -> {
                        if (!connected.isSuccess()) {
                            fail(attempt, remote, connected.cause());
                            socket.close();
                            return;
                        }
                        state.handshakeDone((QuicChannel) connected.getNow());
                    });
        });
    }

    /**
     * One QUIC attempt after its socket is bound, on the attempt's event loop. Without early data
     * the first stream is opened once the handshake is done. With a safelyReplayable
     * InitiateWithSend message and a resumable session, the QUIC connection signals that 0-RTT data
     * may be sent (SslEarlyDataReadyEvent): the stream is opened at once, the message goes out as
     * early data (RFC 9001 §4.6.1), and the attempt still wins only when the handshake is done.
     */
    private final class Attempting extends ChannelInboundHandlerAdapter {
        private final TapsAttempt attempt;
        private final Channel socket;
        private final InetSocketAddress remote;
        private final SecurityParameters security;
        private final TransportProperties properties;
        private final List<FramerFactory> framers;
        private final java.nio.ByteBuffer early;
        private QuicSession session;
        private boolean streamOpened;
        private boolean streamReady;
        private boolean handshakeDone;
        /** reliability Avoid or Prohibit: the Connection is the QUIC connection's datagram Connection. */
        private final boolean datagramMode;

        Attempting(TapsAttempt attempt, Channel socket, InetSocketAddress remote,
                SecurityParameters security, TransportProperties properties, List<FramerFactory> framers,
                java.nio.ByteBuffer early) {
            this.attempt = attempt;
            this.socket = socket;
            this.remote = remote;
            this.security = security;
            this.properties = properties;
            this.framers = framers;
            this.early = early;
            this.datagramMode = QuicDatagrams.wanted(properties, Role.INITIATE);
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            QuicDatagrams.install((QuicChannel) ctx.channel(), null);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof SslEarlyDataReadyEvent && early != null && !datagramMode
                    && !attempt.outcome().isDone()) {
                openStream((QuicChannel) ctx.channel(), true);
            }
            super.userEventTriggered(ctx, event);
        }

        void handshakeDone(QuicChannel quic) {
            handshakeDone = true;
            QuicSession current = session(quic);
            if (attempt.outcome().isDone()) {
                current.close();
                return;
            }
            if (current.applicationProtocol().isEmpty()) {
                // BoringSSL cannot refuse a server that selected no protocol; taps requires agreement (SEC-04).
                attempt.outcome().completeExceptionally(new TransportServicesException(ErrorReason.SECURITY_FAILED,
                        "QUIC to " + remote + ": ALPN mismatch: none of " + security.alpn()
                                + " was accepted by the peer"));
                current.close();
                return;
            }
            if (properties.get(io.taps.properties.Property.KEEP_ALIVE) != io.taps.properties.Preference.REQUIRE) {
                proceed(quic);
                return;
            }
            current.liveness().probe().addListener(probed -> {
                if (probed.isSuccess()) {
                    proceed(quic);
                    return;
                }
                // keepAlive=Require cannot be honoured here (QuicLiveness): fail, so the race can fall back.
                attempt.outcome().completeExceptionally(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                        "QUIC to " + remote + ": keepAlive=Require, but the peer accepts no DATAGRAM frames"
                                + " (RFC 9221), which carry taps' QUIC keep-alive probes"));
                current.close();
            });
        }

        private void proceed(QuicChannel quic) {
            if (attempt.outcome().isDone()) {
                return;
            }
            if (streamOpened) {
                maybeWin();
            } else if (datagramMode) {
                openDatagrams(quic);
            } else {
                openStream(quic, false);
            }
        }

        /**
         * The datagram Connection (RFC 9221, {@link QuicDatagrams}): ready as soon as the handshake
         * told that the peer accepts DATAGRAM frames; an attempt to a peer that accepts none fails,
         * naming the extension, so that the race can go on without it.
         */
        private void openDatagrams(QuicChannel quic) {
            streamOpened = true;
            QuicSession owner = session(quic);
            QuicDatagrams datagrams = owner.datagrams();
            datagrams.whenKnown(() -> {
                if (attempt.outcome().isDone()) {
                    return;
                }
                if (datagrams.maxLength() <= 0) {
                    attempt.outcome().completeExceptionally(new TransportServicesException(
                            ErrorReason.ESTABLISHMENT_FAILED, "QUIC to " + remote + ": reliability="
                                    + properties.get(io.taps.properties.Property.RELIABILITY)
                                    + " makes this a QUIC datagram Connection, but the peer does not support the"
                                    + " DATAGRAM extension (RFC 9221: it announced no max_datagram_frame_size)"));
                    owner.close();
                    return;
                }
                ConnectionHandler handler = QuicDatagrams.newReceiver();
                attempt.stream(quic, handler, () -> owner.adoptDatagrams(handler));
                streamReady = true;
                maybeWin();
            });
        }

        private QuicSession session(QuicChannel quic) {
            if (session == null) {
                session = new QuicSession(quic, socket, eventExecutor, properties, Role.INITIATE, framers, tracker);
                attempt.onCancel(session::close);
                QuicSession owner = session;
                // Clone (RFC 9622 §7.4, Q-16) opens a new stream of this QUIC connection.
                attempt.clones((winner, candidate) -> QuicCloneSupport.forWinner(owner, winner, candidate));
            }
            return session;
        }

        private void openStream(QuicChannel quic, boolean sendEarly) {
            streamOpened = true;
            QuicSession owner = session(quic);
            quic.createStream(QuicSession.streamType(properties), new ChannelInitializer<QuicStreamChannel>() {
                @Override
                protected void initChannel(QuicStreamChannel stream) {
                    ConnectionHandler handler = owner.installStream(stream, new ConnectionHandler.AttemptObserver() {
                        @Override
                        public void stackReady(Channel ready, ConnectionHandler readyHandler) {
                            streamReady = true;
                            maybeWin();
                        }

                        @Override
                        public void stackFailed(Channel failed, Throwable cause) {
                            fail(attempt, remote, cause);
                            owner.close();
                        }
                    });
                    attempt.stream(stream, handler, () -> owner.adopt(stream, sendEarly));
                }
            }).addListener(created -> {
                if (!created.isSuccess()) {
                    fail(attempt, remote, created.cause());
                    owner.close();
                    return;
                }
                if (sendEarly) {
                    QuicStreamChannel stream = (QuicStreamChannel) created.getNow();
                    stream.writeAndFlush(Unpooled.wrappedBuffer(early.duplicate()));
                    attempt.sentEarly();
                }
            });
        }

        private void maybeWin() {
            if (!streamReady || !handshakeDone) {
                return;
            }
            if (!attempt.outcome().complete(attempt)) {
                attempt.handler().discard();
                session.close();
            }
        }
    }

    private static String serverName(SecurityParameters security, String peerName) {
        String name = security.serverName().orElse(peerName);
        if (name != null && name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        return name;
    }

    private static void fail(TapsAttempt attempt, InetSocketAddress remote, Throwable cause) {
        attempt.outcome().completeExceptionally(classify(remote, cause));
    }

    /**
     * A certificate or TLS failure gets the same reason and wording as on TLS/TCP; a handshake
     * that gets no answer is a timeout; anything else is a failed establishment.
     */
    static TransportServicesException classify(InetSocketAddress remote, Throwable cause) {
        if (cause instanceof TransportServicesException) {
            return (TransportServicesException) cause;
        }
        String target = "QUIC to " + remote;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof QuicClosedChannelException && ((QuicClosedChannelException) t).event() != null
                    && ((QuicClosedChannelException) t).event().isTlsError()) {
                // The peer's TLS stack refused the handshake: its alert (RFC 9001 §4.8) names why.
                int alert = QuicConnectionCloseEvent.extractTlsError(((QuicClosedChannelException) t).event().error());
                TransportServicesException security = TlsHandlers.classify(new javax.net.ssl.SSLHandshakeException(
                        "the peer closed the handshake with TLS alert " + TlsHandlers.alertName(alert)));
                return new TransportServicesException(security.reason(), target + ": " + security.getMessage(), cause);
            }
            if (t instanceof SSLException
                    || t instanceof java.security.cert.CertificateException) {
                TransportServicesException security = TlsHandlers.classify(cause);
                return new TransportServicesException(security.reason(), target + ": " + security.getMessage(), cause);
            }
            if (t instanceof ConnectTimeoutException) {
                return new TransportServicesException(ErrorReason.TIMEOUT, target + " timed out", cause);
            }
        }
        return new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED, target + " failed: " + cause, cause);
    }

    /** Streams the server opens towards a client have no Connection to go to yet: they are refused. */
    @ChannelHandler.Sharable
    static final class PeerStreamRefuser extends ChannelInboundHandlerAdapter {
        static final PeerStreamRefuser INSTANCE = new PeerStreamRefuser();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ((QuicStreamChannel) ctx.channel()).shutdown(QuicStreamLink.ABORT_ERROR_CODE);
            ctx.close();
        }
    }
}

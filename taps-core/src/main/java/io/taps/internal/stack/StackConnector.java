package io.taps.internal.stack;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.internal.framer.FramerStack;
import io.taps.internal.security.TlsHandlers;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Opens one attempt: one protocol stack to one resolved address, on its own Netty channel, and
 * reports success only when the whole stack is ready (RFC 9623 §4.4.1, M-25: TCP connected, TLS
 * handshake complete; UDP as soon as the socket is connected, which sends nothing, M-04) and,
 * on byte-stream stacks, every framer has called makeConnectionReady (RFC 9623 §6.1, Q-4).
 */
public final class StackConnector {
    /** Netty's outbound buffer stays between these bounds; taps' own queue holds the rest (bounded). */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    /**
     * Netty reads datagrams into 2 KiB buffers by default and silently cuts off the rest; taps must
     * receive every datagram whole, up to the largest UDP payload.
     */
    public static final FixedRecvByteBufAllocator DATAGRAM_RECEIVE_BUFFERS = new FixedRecvByteBufAllocator(65_536);

    private final IoTransport transport;
    private final QuicAttempts quic;

    public StackConnector(IoTransport transport) {
        this(transport, null);
    }

    /** {@code quic} starts QUIC attempts; without it QUIC is never attempted. */
    public StackConnector(IoTransport transport, QuicAttempts quic) {
        this.transport = transport;
        this.quic = quic;
    }

    /** Starts QUIC attempts (io.taps.internal.quic), whose Connection is a stream, not the socket. */
    public interface QuicAttempts {
        /**
         * {@code clientContext} (nullable: the process-wide one) is the QUIC client context of the
         * caller's cache scope; {@code early} (nullable) is a safelyReplayable InitiateWithSend
         * message to send as 0-RTT data if possible.
         */
        void connect(Attempt attempt, EventLoop loop, InetSocketAddress remote, InetSocketAddress local,
                String peerName, SecurityParameters security, TransportProperties properties, Duration timeout,
                List<FramerFactory> framers, SslContext clientContext, io.taps.Message early);
    }

    /** One running attempt; its future completes on the attempt's event loop. */
    public static final class Attempt {
        private final CompletableFuture<Attempt> outcome = new CompletableFuture<>();
        private final StackKind kind;
        private final InetSocketAddress remote;
        private volatile Channel channel;
        private volatile ConnectionHandler handler;
        private volatile java.util.function.Supplier<io.taps.internal.conn.Link> linkFactory;
        private volatile Runnable closer;
        private volatile io.taps.Message sentEarly;

        public Attempt(StackKind kind, InetSocketAddress remote) {
            this.kind = kind;
            this.remote = remote;
        }

        public CompletableFuture<Attempt> outcome() {
            return outcome;
        }

        public Channel channel() {
            return channel;
        }

        public ConnectionHandler handler() {
            return handler;
        }

        public StackKind kind() {
            return kind;
        }

        public InetSocketAddress remote() {
            return remote;
        }

        /** The winning attempt's link for its Connection. */
        public io.taps.internal.conn.Link link() {
            java.util.function.Supplier<io.taps.internal.conn.Link> factory = linkFactory;
            return factory != null ? factory.get() : new ChannelLink(channel, kind);
        }

        /**
         * For stacks whose Connection is a stream inside the attempt's socket (QUIC): the stream's
         * channel and handler, and how to make its link.
         */
        public void stream(Channel stream, ConnectionHandler streamHandler,
                java.util.function.Supplier<io.taps.internal.conn.Link> link) {
            this.channel = stream;
            this.handler = streamHandler;
            this.linkFactory = link;
        }

        /** Records that {@code message} went out as 0-RTT early data on this attempt. */
        public void sentEarly(io.taps.Message message) {
            this.sentEarly = message;
        }

        /** The message this attempt sent as 0-RTT early data, or null. */
        public io.taps.Message sentEarly() {
            return sentEarly;
        }

        /** What else {@link #cancel()} must close (QUIC: the QUIC connection and its UDP socket). */
        public void closer(Runnable alsoClose) {
            this.closer = alsoClose;
        }

        /** Stops a running or losing attempt and frees its channel. */
        public void cancel() {
            outcome.completeExceptionally(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                    "attempt to " + remote + " cancelled"));
            ConnectionHandler current = handler;
            if (current != null) {
                current.discard();
            }
            Channel open = channel;
            if (open != null) {
                open.close();
            }
            Runnable extra = closer;
            if (extra != null) {
                extra.run();
            }
        }
    }

    /**
     * Starts an attempt on {@code loop}. {@code peerName} is the name TLS verifies and sends as SNI
     * (the endpoint's host name, else the address literal). {@code framers} (the Preconnection's,
     * first nearest the application) get new instances on this attempt's channel, between TLS and
     * taps; datagram stacks take none (they preserve boundaries themselves). A framer that fails
     * the connection before it is ready fails this attempt with the framer's error.
     *
     * @param clientContext the client TLS context for TLS/TCP, for QUIC the QUIC client context (a
     *     {@code QuicSslContext}) or null for the process-wide one; ignored (may be null) otherwise.
     *     The caller's cache scope chooses it, so it decides whose session cache the attempt uses
     *     (RFC 9623 §9.1).
     * @param early a safelyReplayable message that a stack able to send 0-RTT data (QUIC with a
     *     cached session) sends as early data; nullable
     */
    public Attempt connect(EventLoop loop, StackKind kind, InetSocketAddress remote, InetSocketAddress local,
            String peerName, SecurityParameters security, TransportProperties properties, Duration timeout,
            List<FramerFactory> framers, SslContext clientContext, io.taps.Message early) {
        Attempt attempt = new Attempt(kind, remote);
        if (kind.quic()) {
            if (quic == null) {
                attempt.outcome.completeExceptionally(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                        "QUIC to " + remote + ": no QUIC support in this engine"));
            } else {
                quic.connect(attempt, loop, remote, local, peerName, security, properties, timeout, framers,
                        clientContext, early);
            }
            return attempt;
        }
        SslContext sslContext = kind.secure() ? java.util.Objects.requireNonNull(clientContext, "clientContext") : null;
        ConnectionHandler.AttemptObserver observer = new ConnectionHandler.AttemptObserver() {
            @Override
            public void stackReady(Channel channel, ConnectionHandler handler) {
                attempt.handler = handler;
                if (!attempt.outcome.complete(attempt)) {
                    handler.discard();
                    channel.close();
                }
            }

            @Override
            public void stackFailed(Channel channel, Throwable cause) {
                attempt.outcome.completeExceptionally(classify(kind, remote, cause));
                channel.close();
            }
        };
        Bootstrap bootstrap = new Bootstrap().group(loop);
        if (kind.datagram()) {
            bootstrap.channel(transport.datagramChannel())
                    .option(ChannelOption.RCVBUF_ALLOCATOR, DATAGRAM_RECEIVE_BUFFERS);
        } else {
            bootstrap.channel(transport.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .option(ChannelOption.SO_KEEPALIVE, wantsKeepAlive(properties))
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        }
        bootstrap.option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        bootstrap.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                attempt.channel = channel;
                SslHandler ssl = null;
                if (sslContext != null) {
                    ssl = TlsHandlers.newClientHandler(sslContext, channel.alloc(), security, peerName,
                            remote.getPort(), timeout);
                    channel.pipeline().addLast("tls", ssl);
                }
                FramerStack framerStack = kind.datagram() ? null
                        : FramerStack.install(channel.pipeline(), framers, Role.INITIATE);
                ConnectionHandler handler = new ConnectionHandler(observer, sslContext != null, framerStack);
                attempt.handler = handler;
                channel.pipeline().addLast("taps", handler);
                if (ssl != null) {
                    TlsHandlers.handshake(ssl, security)
                            .whenComplete((alpn, failure) -> handler.reportHandshake(channel, failure));
                }
            }
        });
        ChannelFuture connecting = local == null ? bootstrap.connect(remote) : bootstrap.connect(remote, local);
        attempt.channel = connecting.channel();
        connecting.addListener(done -> {
            if (!done.isSuccess()) {
                attempt.outcome.completeExceptionally(classify(kind, remote, done.cause()));
            }
        });
        return attempt;
    }

    /** SO_KEEPALIVE for a new TCP socket: asked for by {@code keepAlive} or implied by a {@code keepAliveTimeout}. */
    public static boolean wantsKeepAlive(TransportProperties properties) {
        Preference keepAlive = properties.get(Property.KEEP_ALIVE);
        return keepAlive == Preference.REQUIRE || keepAlive == Preference.PREFER
                || !properties.get(Property.KEEP_ALIVE_TIMEOUT).isNone();
    }

    /** Turns a Netty or JDK failure into a typed error naming the attempt. */
    public static TransportServicesException classify(StackKind kind, InetSocketAddress remote, Throwable cause) {
        if (cause instanceof TransportServicesException) {
            return (TransportServicesException) cause;
        }
        String target = kind.capabilities().name() + " to " + remote;
        if (cause instanceof ConnectTimeoutException) {
            return new TransportServicesException(ErrorReason.TIMEOUT, target + " timed out", cause);
        }
        if (cause instanceof ConnectException || cause instanceof NoRouteToHostException) {
            return new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                    target + " failed: " + cause.getMessage(), cause);
        }
        if (kind.secure()) {
            TransportServicesException security = TlsHandlers.classify(cause);
            return new TransportServicesException(security.reason(), target + ": " + security.getMessage(), cause);
        }
        return new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED, target + " failed: " + cause, cause);
    }
}

package io.taps.internal.stack;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.internal.PlatformDependent;
import io.taps.internal.conn.Link;
import io.taps.internal.security.TlsHandlers;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * Opens one attempt of a built-in channel stack (TCP, TLS/TCP, UDP): one resolved address on its
 * own Netty channel (RFC 9623 §4.4.1, M-25: TCP connected, TLS handshake complete; UDP as soon as
 * the socket is connected, which sends nothing, M-04). {@link TapsAttempt} decides when it is ready.
 */
public final class StackConnector {
    /** Netty's outbound buffer stays between these bounds; taps' own queue holds the rest (bounded). */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    /**
     * Netty reads datagrams into 2 KiB buffers by default and silently cuts off the rest; taps must
     * receive every datagram whole, up to the largest UDP payload.
     */
    public static final FixedRecvByteBufAllocator DATAGRAM_RECEIVE_BUFFERS = new FixedRecvByteBufAllocator(65_536);

    private StackConnector() {
    }

    /**
     * Starts {@code attempt} with the built-in stack {@code kind} on the attempt's event loop.
     * {@code peerName} is the name TLS verifies and sends as SNI. The Preconnection's framers get
     * new instances on this attempt's channel, between TLS and taps; datagram stacks take none (they
     * preserve boundaries themselves). A framer that fails the connection before it is ready fails
     * this attempt with the framer's error. TLS uses the attempt's client context, chosen by the
     * caller's cache scope, so the scope decides whose session cache the attempt uses (RFC 9623 §9.1).
     */
    static void connect(StackKind kind, TapsAttempt attempt) {
        connect(kind, attempt, null, ChannelLink::new);
    }

    /**
     * {@link #connect(StackKind, TapsAttempt)} on a socket {@code sockets} opens (null: the I/O
     * transport's own), with the Connection on the link {@code links} makes.
     */
    static void connect(StackKind kind, TapsAttempt attempt, SocketOpener sockets,
            BiFunction<Channel, StackKind, ? extends Link> links) {
        if (!kind.secure()) {
            connect(kind, attempt, null, sockets, links);
            return;
        }
        // A context may have to be built first (isolateSession, maxCachedSessions(0)): that happens
        // off the event loop, and the attempt goes on on its loop once the context is there.
        attempt.prepareTlsClientContext().whenComplete((context, failure) ->
                TapsAttempt.onLoop(attempt.eventLoop(), () -> {
                    if (failure != null) {
                        attempt.fail(failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure);
                    } else if (!attempt.outcome().isDone()) {
                        connect(kind, attempt, context, sockets, links);
                    }
                }));
    }

    private static void connect(StackKind kind, TapsAttempt attempt, SslContext sslContext, SocketOpener sockets,
            BiFunction<Channel, StackKind, ? extends Link> links) {
        SecurityParameters security = attempt.use().security();
        InetSocketAddress remote = attempt.remote();
        Duration timeout = attempt.timeout();
        ByteBuffer synData = sockets == null ? fastOpenData(kind, attempt) : null;
        ChannelFactory<? extends Channel> channels;
        if (kind.datagram()) {
            channels = ChannelFactories.of(attempt.datagramChannelType());
        } else if (sockets == null) {
            channels = ChannelFactories.of(attempt.socketChannelType());
        } else {
            channels = () -> sockets.client(attempt, remote);
        }
        Channel channel = DirectConnect.newChannel(attempt, channels, new AttemptInitializer() {
            @Override
            protected void initChannel(Channel channel) {
                CompletionStage<?> handshake = null;
                if (synData != null) {
                    channel.pipeline().addLast("tcp-fast-open", new TcpFastOpen.ClientWrite(attempt, synData));
                }
                if (sslContext != null) {
                    SslHandler ssl = TlsHandlers.newClientHandler(sslContext, channel.alloc(), security,
                            attempt.peerName(), remote.getPort(), timeout);
                    channel.pipeline().addLast("tls", ssl);
                    handshake = TlsHandlers.handshake(ssl, security);
                }
                attempt.attach(channel, handshake, attached -> links.apply(attached, kind));
            }
        });
        if (channel == null) {
            return;
        }
        // The options Bootstrap set, in the order it set them.
        if (synData != null) {
            DirectConnect.option(channel, EpollChannelOption.TCP_FASTOPEN_CONNECT, true);
        }
        if (kind.datagram()) {
            DirectConnect.option(channel, ChannelOption.RCVBUF_ALLOCATOR, DATAGRAM_RECEIVE_BUFFERS);
        } else {
            DirectConnect.option(channel, ChannelOption.ALLOW_HALF_CLOSURE, true);
            DirectConnect.option(channel, ChannelOption.CONNECT_TIMEOUT_MILLIS,
                    (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            if (NO_DELAY_NEEDS_SETTING) {
                DirectConnect.option(channel, ChannelOption.TCP_NODELAY, true);
            }
            if (wantsKeepAlive(attempt.use().properties())) {
                DirectConnect.option(channel, ChannelOption.SO_KEEPALIVE, true);
            }
        }
        DirectConnect.option(channel, ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        // The proxy on a proxy leaf (its handler, installed by attach, asks it for the destination).
        // Unresolved only for a proxy named by host name: resolved as Bootstrap's default resolver did.
        DirectConnect.registerAndConnect(attempt, channel, attempt.firstHop(), attempt.local());
    }

    /**
     * The InitiateWithSend Message a plain TCP attempt sends with TCP Fast Open (RFC 7413, RFC 9622
     * §6.2.5), or null: only a safelyReplayable one (the Engine passes no other), with no framers
     * (they frame it once ready), zeroRttMsg not Prohibit, on epoll with the client side enabled,
     * and never for an isolated session (the kernel's cookie cache is shared by every socket) or on
     * a proxy leaf (the SYN goes to the proxy, which must see its own handshake first). Stacks that
     * open their own sockets (MPTCP) declare 0-RTT unavailable and get none.
     */
    private static ByteBuffer fastOpenData(StackKind kind, TapsAttempt attempt) {
        if (kind != StackKind.TCP || !attempt.framers().isEmpty() || attempt.scope().isIsolated() || attempt.proxy() != null
                || attempt.use().properties().get(Property.ZERO_RTT_MSG) == Preference.PROHIBIT
                || !EpollSocketChannel.class.isAssignableFrom(attempt.socketChannelType())
                || !TcpFastOpen.clientAvailable()) {
            return null;
        }
        return attempt.earlyData().orElse(null);
    }

    /**
     * Whether a new stream channel needs TCP_NODELAY set: Netty's socket channels turn it on
     * themselves wherever the platform allows it, and setting it again cost one more setsockopt
     * per connection (as SO_KEEPALIVE off did: it is off on a new socket, so only "on" is set).
     */
    public static final boolean NO_DELAY_NEEDS_SETTING = !PlatformDependent.canEnableTcpNoDelayByDefault();

    /** SO_KEEPALIVE for a new TCP socket: asked for by {@code keepAlive} or implied by a {@code keepAliveTimeout}. */
    public static boolean wantsKeepAlive(TransportProperties properties) {
        Preference keepAlive = properties.get(Property.KEEP_ALIVE);
        return keepAlive == Preference.REQUIRE || keepAlive == Preference.PREFER
                || !properties.get(Property.KEEP_ALIVE_TIMEOUT).isNone();
    }
}

package io.taps.internal.stack;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.handler.ssl.SslHandler;
import io.taps.internal.conn.Link;
import io.taps.internal.framer.FramedMessage;
import io.taps.internal.framer.FramerLimits;
import io.taps.internal.framer.FramerRuntime;
import io.taps.internal.security.TlsHandlers;
import io.taps.security.SecurityOutcome;
import io.taps.properties.CapacityProfile;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Optional;

/** A {@link Link} over one Netty channel: a TCP or TLS connection, or a connected UDP socket. */
public class ChannelLink extends SingleChannelLink {
    /** Largest UDP payloads: 65535 minus the IPv4 header (20) and the UDP header (8); IPv6 payload length excludes its own header. */
    static final int MAX_UDP_PAYLOAD_IPV4 = 65_507;
    static final int MAX_UDP_PAYLOAD_IPV6 = 65_527;

    /** getsockopt(TCP_INFO) calls made, for tests: each is a syscall per Connection (issue 21 item 1). */
    private static final java.util.concurrent.atomic.LongAdder TCP_INFO_READS = new java.util.concurrent.atomic.LongAdder();

    /*
     * Three fields, 24 B of every Connection: the TLS handler and the ConnectionHandler are found
     * in the pipeline when asked for (a close, an ALPN query, a rate limit; the handler is the
     * pipeline's last on a write), not kept in two more fields that took the link to 32 B (issue 21
     * figure 12).
     */
    private final StackKind kind;
    /**
     * The framers' largest Message, -1 for none, or {@link #UNFRAMED} when the channel has no
     * framer: read once, since a send checks it every time. One int for both, not a boolean beside
     * it, keeps the link at 32 B of every Connection instead of 40 (issue 21 figure 12).
     */
    private final int framerLimit;
    private static final int UNFRAMED = -2;

    public ChannelLink(Channel channel, StackKind kind) {
        super(channel);
        this.kind = kind;
        this.framerLimit = hostedFramer() != null || channel.pipeline().get("framer-0") != null
                ? FramerLimits.maxMessageSize(channel.pipeline()) : UNFRAMED;
    }

    /**
     * The only framer, when the channel's ConnectionHandler runs it (FramerStack.installHosted):
     * Messages are framed by calling it, not through a handler of its own, which the pipeline then
     * does not have.
     */
    private FramerRuntime hostedFramer() {
        ConnectionHandler handler = connectionHandler();
        return handler == null ? null : handler.hostedFramer();
    }

    @Override
    public boolean framed() {
        return framerLimit != UNFRAMED;
    }

    @Override
    public ChannelFuture writeMessage(ByteBuf data, io.taps.MessageContext context, boolean endOfMessage) {
        if (framed()) {
            io.netty.channel.ChannelPromise promise = channel.newPromise();
            writeMessage(data, context, endOfMessage, promise);
            return promise;
        }
        return channel.write(data);
    }

    @Override
    public Channel writeChannel() {
        return channel;
    }

    @Override
    public void writeMessage(ByteBuf data, io.taps.MessageContext context, boolean endOfMessage,
            io.netty.channel.ChannelPromise promise) {
        if (!framed()) {
            channel.write(data, promise);
            return;
        }
        FramerRuntime hosted = hostedFramer();
        if (hosted == null) {
            // The event loop thread's holder, not one per link (FramedMessage.writeDown).
            FramedMessage.writeDown(channel, data, context, endOfMessage, promise);
        } else if (channel.eventLoop().inEventLoop()) {
            hosted.write(data, context, endOfMessage, promise);
        } else {
            // As channel.write would: queued to the event loop, in order with the other writes and flushes.
            channel.eventLoop().execute(() -> hosted.write(data, context, endOfMessage, promise));
        }
    }

    /**
     * Held while the hosted framer is in a call (delivering what one read brought): the Messages
     * sent from Received handlers then leave with one flush ({@link FramerRuntime#holdsFlush}).
     */
    @Override
    public void flush() {
        if (framed() && channel.eventLoop().inEventLoop()) {
            FramerRuntime hosted = hostedFramer();
            if (hosted != null && hosted.holdsFlush()) {
                return;
            }
        }
        channel.flush();
    }

    public Channel channel() {
        return channel;
    }

    @Override
    public boolean byteStream() {
        return !kind.datagram();
    }

    @Override
    public ChannelFuture write(ByteBuf data) {
        return channel.write(data);
    }

    @Override
    public void shutdownOutput(Runnable whenDone) {
        shutdownOutput(whenDone, false);
    }

    @Override
    public void shutdownOutputToClose(Runnable whenDone) {
        shutdownOutput(whenDone, true);
    }

    private void shutdownOutput(Runnable whenDone, boolean closing) {
        if (!(channel instanceof DuplexChannel) || !channel.isActive()) {
            whenDone.run();
            return;
        }
        DuplexChannel duplex = (DuplexChannel) channel;
        SslHandler ssl = ssl();
        if (ssl != null) {
            // close_notify first, so a TLS peer sees a clean end rather than a truncation.
            ssl.closeOutbound().addListener(sent -> duplex.shutdownOutput().addListener(done -> whenDone.run()));
        } else if (closing && !framed() && channel instanceof AbstractEpollStreamChannel && nothingUnwritten(channel)) {
            // Netty's shutdownOutput makes a ChannelOutputShutdownException with a stack trace for
            // its outbound buffer, even an empty one (5% of the bytes of a TCP connect + close, and
            // a stack walk, issue 21). With nothing left to fail, the socket's own shutdown is the
            // same FIN; the channel sees its output shut through the socket's state.
            try {
                ((Socket) ((AbstractEpollStreamChannel) channel).fd()).shutdown(false, true);
            } catch (java.io.IOException | RuntimeException failed) {
                // As when Netty's shutdownOutput fails: done, without ending on the peer's FIN.
                whenDone.run();
                return;
            }
            peerFinClosesChannel(duplex);
            whenDone.run();
        } else {
            duplex.shutdownOutput().addListener(done -> {
                if (closing && done.isSuccess() && !framed()) {
                    peerFinClosesChannel(duplex);
                }
                whenDone.run();
            });
        }
    }

    /** Whether the channel's outbound buffer holds nothing, so a shutdown of output would fail no write. */
    private static boolean nothingUnwritten(Channel channel) {
        io.netty.channel.ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer != null && buffer.isEmpty() && buffer.totalPendingWriteBytes() == 0;
    }

    /**
     * Once taps' FIN is out, the peer's FIN ends the flow: with half-closure allowed Netty would
     * then call shutdown(SHUT_RD) on a socket the kernel already closed, which fails (ENOTCONN) and
     * builds a NotYetConnectedException, one failing syscall and one stack trace per Connection
     * (issue 21 item 1). Without half-closure Netty closes the channel at the peer's FIN, and the
     * connection handler reports the end of the peer's input first, so Closed and the last Message
     * are as before. Only on Close (after a Final Message the Connection lives on until Close)
     * and for a cleartext, unframed stream whose input is still open: TLS and framers read the end
     * of input themselves.
     */
    private void peerFinClosesChannel(DuplexChannel duplex) {
        if (duplex.isInputShutdown() || !duplex.isActive() || ssl() != null) {
            return;
        }
        ConnectionHandler handler = connectionHandler();
        if (handler == null) {
            return;
        }
        try {
            duplex.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        } catch (RuntimeException unsupported) {
            return;
        }
        handler.inputEndsWithChannel(true);
    }

    @Override
    public void close(Runnable whenClosed) {
        tapsCloses();
        channel.close().addListener(closed -> whenClosed.run());
    }

    /**
     * The channel's ConnectionHandler: the last handler, where taps adds it (one step from the
     * pipeline's tail), else wherever a stack put it.
     */
    private ConnectionHandler connectionHandler() {
        io.netty.channel.ChannelHandler last = channel.pipeline().last();
        return last instanceof ConnectionHandler ? (ConnectionHandler) last
                : channel.pipeline().get(ConnectionHandler.class);
    }

    /** The TLS handler, if the stack has one. */
    private SslHandler ssl() {
        return channel.pipeline().get(SslHandler.class);
    }

    /** Taps closes the channel itself: its end is not the peer's FIN. */
    private void tapsCloses() {
        if (channel instanceof DuplexChannel) {
            ConnectionHandler handler = connectionHandler();
            if (handler != null) {
                handler.inputEndsWithChannel(false);
            }
        }
    }

    @Override
    public void reset() {
        tapsCloses();
        if (channel.isActive() && !kind.datagram()) {
            // SO_LINGER 0 makes close() send RST and drop unsent data: Abort, not Close (RFC 9623 §10.1).
            try {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException unsupported) {
                // The channel closes either way; only the RST is lost.
            }
        }
        channel.close();
    }

    /**
     * Pauses or resumes reading, except once the peer ended its direction: then nothing more can
     * arrive to buffer, and changing the channel's interest set only risks the epoll defect that
     * {@code EpollRegistrationGuard} works around (issue 13, defect 2).
     */
    @Override
    public void setReading(boolean read) {
        if (!inputShutdown(channel)) {
            channel.config().setAutoRead(read);
        }
        if (framed()) {
            // After autoRead, so that a framer pausing again while it resumes has the last word.
            io.taps.internal.framer.ReceivePause.signal(channel, read);
        }
    }

    static boolean inputShutdown(Channel channel) {
        return channel instanceof DuplexChannel && ((DuplexChannel) channel).isInputShutdown();
    }

    /** The peer; through a proxy tunnel, the tunnel's destination (not the proxy). */
    @Override
    public InetSocketAddress remoteAddress() {
        return io.taps.internal.proxy.ProxyTunnel.remoteOf(channel);
    }

    @Override
    public int maxMessageSize() {
        return kind.datagram() ? maxUdpPayload(remoteAddress()) : framed() ? framerLimit : -1;
    }

    /** On a connected UDP socket, the path MTU the kernel knows (IP_MTU) less the IP and UDP headers. */
    @Override
    public int singularTransmissionMaxLen() {
        if (!kind.datagram()) {
            return -1;
        }
        return DatagramOptions.singularPayload(channel, remoteAddress(), maxMessageSize());
    }

    @Override
    public ChannelFuture writeDatagram(ByteBuf data, io.taps.MessageContext context, int dscp, boolean dontFragment) {
        if (!kind.datagram()) {
            ChannelFuture written = writeMessage(data, context, true);
            flush();
            return written;
        }
        return DatagramOptions.writeWith(channel, data, dscp, dontFragment);
    }

    /** The largest UDP payload towards {@code remote} (RO-05 sendMsgMaxLen of a datagram stack). */
    public static int maxUdpPayload(InetSocketAddress remote) {
        return remote != null && remote.getAddress() instanceof Inet6Address ? MAX_UDP_PAYLOAD_IPV6 : MAX_UDP_PAYLOAD_IPV4;
    }

    @Override
    public Optional<String> applicationProtocol() {
        // The handshake's recorded outcome outlives the pipeline, which a closed channel no longer has.
        Optional<SecurityOutcome> outcome = TlsHandlers.outcome(channel);
        if (outcome.isPresent()) {
            return outcome.get().applicationProtocol();
        }
        SslHandler ssl = ssl();
        return ssl == null ? Optional.empty() : TlsHandlers.negotiatedAlpn(ssl);
    }

    @Override
    public Optional<SecurityOutcome> securityOutcome() {
        return TlsHandlers.outcome(channel);
    }

    /** The built-in stack this link's channel runs. */
    StackKind kind() {
        return kind;
    }

    /**
     * The stack an accepted Connection on this link reports (RFC 9622 §7.2): the built-in stack the
     * channel runs; a link whose protocol is only known once the peer answered (MPTCP, or its
     * fallback to TCP) says what it became.
     */
    public io.taps.spi.StackCapabilities acceptedStack() {
        return kind.capabilities();
    }

    /** How many times TCP_INFO was read in this JVM (a test hook). */
    static long tcpInfoReads() {
        return TCP_INFO_READS.sum();
    }

    @Override
    public Optional<java.time.Duration> smoothedRtt() {
        try {
            if (channel instanceof io.netty.channel.epoll.EpollSocketChannel && channel.isOpen()) {
                TCP_INFO_READS.increment();
                long micros = TcpInfos.read((io.netty.channel.epoll.EpollSocketChannel) channel).rtt();
                return Optional.of(java.time.Duration.ofNanos(micros * 1000));
            }
        } catch (RuntimeException | LinkageError closedOrUnavailable) {
            // The socket closed meanwhile, or epoll is not loaded: the RTT is unknown.
        }
        return Optional.empty();
    }

    /**
     * {@code keepAlive} (RFC 9622 §6.2.10) on TCP as the socket has it: SO_KEEPALIVE is also turned
     * on by a {@code keepAliveTimeout} without the selection property asking for it.
     */
    @Override
    public java.util.Map<Property<?>, Object> selectionInEffect() {
        if (kind.datagram() || !channel.isOpen()) {
            return java.util.Map.of();
        }
        try {
            Boolean keepAlive = channel.config().getOption(ChannelOption.SO_KEEPALIVE);
            return keepAlive == null ? java.util.Map.of() : java.util.Map.of(Property.KEEP_ALIVE, keepAlive);
        } catch (RuntimeException closed) {
            return java.util.Map.of();
        }
    }

    /**
     * {@code zeroRttMsg} (RFC 9622 §6.2.5) on plain TCP as applied: whether this socket uses TCP Fast
     * Open (a client that sent its InitiateWithSend Message with it, a Listener that accepts it).
     */
    @Override
    public java.util.Map<Property<?>, Object> appliedSelection() {
        if (kind != StackKind.TCP) {
            return java.util.Map.of();
        }
        return java.util.Map.of(Property.ZERO_RTT_MSG, channel.hasAttr(TcpFastOpen.ENABLED)
                && Boolean.TRUE.equals(channel.attr(TcpFastOpen.ENABLED).get()));
    }

    @Override
    public long earlyDataBytes() {
        Long synData = channel.hasAttr(TcpFastOpen.SYN_DATA) ? channel.attr(TcpFastOpen.SYN_DATA).get() : null;
        return synData == null ? 0 : synData;
    }

    /** TCP's own properties ({@code tcp.*}, RFC 9622 §8.2) apply to TCP and TLS over TCP. */
    @Override
    protected boolean protocolNamespace(String namespace) {
        return "tcp".equals(namespace) && !kind.datagram();
    }

    /**
     * The value in effect after applying: {@code tcp.userTimeoutValue} becomes the socket's
     * TCP_USER_TIMEOUT only on epoll, so elsewhere it reads as none (RFC 9622 §8.2.1);
     * {@code tcp.userTimeoutEnabled} reads false, as Linux has no UTO option (§8.2.2); the send
     * and receive rate bounds are what {@link RateShaping} put in the pipeline (§8.1.8).
     */
    @Override
    public Object applyProperty(Property<?> property, Object value) {
        if (RateShaping.governs(property)) {
            return RateShaping.apply(channel, ssl() == null ? null : "tls", property, (io.taps.properties.Limit) value);
        }
        if (property == Property.TCP_USER_TIMEOUT_ENABLED) {
            // The User Timeout Option (RFC 5482) is neither sent nor honoured by Linux TCP: disabled.
            return false;
        }
        boolean applied = applyOption(property, value);
        if (property == Property.CONN_CAPACITY_PROFILE && !applied) {
            return CapacityProfile.DEFAULT;
        }
        return property == Property.TCP_USER_TIMEOUT_VALUE && !applied ? Timeout.NONE : value;
    }

    @Override
    public boolean applyOption(Property<?> property, Object value) {
        return SocketOptions.apply(channel, kind, property, value);
    }

    /** Maps Connection Properties to socket options where the platform offers them (RFC 9622 §8.1). */
    public static final class SocketOptions {
        private SocketOptions() {
        }

        public static boolean apply(Channel channel, StackKind kind, Property<?> property, Object value) {
            try {
                if (property == Property.CONN_CAPACITY_PROFILE) {
                    // DSCP sits in the upper six bits of the TOS / traffic class byte (RFC 2474).
                    return channel.config().setOption(ChannelOption.IP_TOS, ((CapacityProfile) value).dscp() << 2);
                }
                if (kind.datagram()) {
                    return false;
                }
                if (property == Property.KEEP_ALIVE_TIMEOUT) {
                    Timeout idle = (Timeout) value;
                    if (idle.isNone()) {
                        // No timeout says nothing about keep-alive itself: the keepAlive selection
                        // property already decided SO_KEEPALIVE when the socket was opened.
                        return false;
                    }
                    boolean set = channel.config().setOption(ChannelOption.SO_KEEPALIVE, true);
                    if (channel.config().getOptions().containsKey(EpollChannelOption.TCP_KEEPIDLE)) {
                        set &= channel.config().setOption(EpollChannelOption.TCP_KEEPIDLE,
                                (int) Math.max(1, idle.duration().getSeconds()));
                    }
                    return set;
                }
                if (property == Property.CONN_TIMEOUT || property == Property.TCP_USER_TIMEOUT_VALUE) {
                    // TCP_USER_TIMEOUT exists only on the native epoll transport.
                    Timeout timeout = (Timeout) value;
                    // Netty's epoll config sets TCP_USER_TIMEOUT but does not list it in getOptions(),
                    // so the config's type, not the option list, says whether it can be set.
                    if (!timeout.isNone() && channel.config() instanceof io.netty.channel.epoll.EpollSocketChannelConfig) {
                        return channel.config().setOption(EpollChannelOption.TCP_USER_TIMEOUT,
                                (int) Math.min(Integer.MAX_VALUE, timeout.duration().toMillis()));
                    }
                    return false;
                }
                return false;
            } catch (RuntimeException | LinkageError unsupported) {
                return false;
            }
        }
    }
}

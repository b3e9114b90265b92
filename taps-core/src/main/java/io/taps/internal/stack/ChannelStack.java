package io.taps.internal.stack;

import io.netty.channel.Channel;
import io.taps.internal.conn.Link;
import io.taps.internal.security.SslContexts;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackAttempt;
import io.taps.spi.StackBinding;
import io.taps.spi.StackCapabilities;
import io.taps.spi.StackListener;
import io.taps.spi.StackUse;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The built-in stacks on one Netty channel per Connection (RFC 9623 §10.1 TCP, §10.2 TLS/TCP via
 * §10.3's security layer, §10.3 UDP), as {@link ProtocolStack}s: TCP and TLS/TCP connect a socket
 * channel (TLS with the Preconnection's SecurityParameters, verified as design.md Q-17 says), UDP a
 * connected datagram channel. Listeners accept TCP connections, or demultiplex one UDP socket by
 * remote address. Connection Properties become socket options where the platform offers them.
 */
public final class ChannelStack implements ProtocolStack {
    /** Plain TCP (RFC 9623 §10.1). */
    public static final ChannelStack TCP = new ChannelStack(StackKind.TCP);
    /** TLS over TCP (RFC 9623 §10.2 and RFC 8446). */
    public static final ChannelStack TLS_TCP = new ChannelStack(StackKind.TLS_TCP);
    /** UDP (RFC 9623 §10.3). */
    public static final ChannelStack UDP = new ChannelStack(StackKind.UDP);

    private final StackKind kind;
    private final StackCapabilities capabilities;
    /** Null: the I/O transport's own sockets. */
    private final SocketOpener sockets;
    private final BiFunction<Channel, StackKind, ? extends Link> links;

    private ChannelStack(StackKind kind) {
        this(kind, kind.capabilities(), null, ChannelLink::new);
    }

    private ChannelStack(StackKind kind, StackCapabilities capabilities, SocketOpener sockets,
            BiFunction<Channel, StackKind, ? extends Link> links) {
        this.kind = kind;
        this.capabilities = capabilities;
        this.sockets = sockets;
        this.links = links;
    }

    /**
     * A TCP or TLS/TCP pipeline ({@code kind}) on sockets {@code sockets} opens, named and selected
     * by {@code capabilities}, whose Connections run on the links {@code links} makes (given the
     * channel and whether it carries TLS or, on an opportunistic Listener, cleartext TCP): how a
     * plug-in such as MPTCP reuses TCP's attempts, Listeners and socket options.
     */
    public static ChannelStack stream(StackKind kind, StackCapabilities capabilities, SocketOpener sockets,
            BiFunction<Channel, StackKind, ? extends Link> links) {
        if (kind.datagram()) {
            throw new IllegalArgumentException("not a stream stack: " + kind);
        }
        return new ChannelStack(kind, capabilities, sockets, links);
    }

    @Override
    public StackCapabilities capabilities() {
        return capabilities;
    }

    /**
     * UDP may duplicate messages, so (RFC 9622 §9.1.3.4) it is chosen only when the application
     * marked its messages safelyReplayable in the Transport Properties. TCP's 0-RTT is TCP Fast
     * Open, which a Require gets only where the kernel and the session allow it ({@link TcpFastOpen}).
     */
    @Override
    public Optional<String> unusableReason(StackUse use) {
        if (kind.datagram() && !use.properties().messageDefaults().get(Property.SAFELY_REPLAYABLE)) {
            return Optional.of("messages are not safelyReplayable (RFC 9622 §9.1.3.4; use"
                    + " TransportProperties.unreliableDatagram() or safelyReplayable(true))");
        }
        if (kind == StackKind.TCP) {
            return TcpFastOpen.unusableReason(use);
        }
        return Optional.empty();
    }

    /** A TLS Listener needs a server identity: its context is built (and cached) now, so that a bad one fails Listen. */
    @Override
    public void validate(StackUse use) {
        if (kind.secure() && use.role() == Role.LISTEN) {
            SslContexts.forServer(use.security());
        }
    }

    @Override
    public void connect(StackAttempt attempt) {
        StackConnector.connect(kind, TapsAttempt.of(attempt), sockets, links);
    }

    @Override
    public StackListener listen(StackBinding binding) {
        TapsBinding internal = TapsBinding.of(binding);
        if (kind.datagram()) {
            DatagramSockets sockets = new DatagramSockets(this, internal);
            sockets.bind(binding.addresses());
            return sockets;
        }
        StreamSockets listening = new StreamSockets(kind, this, internal, sockets, links);
        listening.bind(binding.addresses());
        return listening;
    }

    /** TCP and TLS/TCP run through SOCKS5 and HTTP CONNECT tunnels (their socket connects to the first hop). */
    @Override
    public boolean tunnelsThroughProxies() {
        return !kind.datagram();
    }

    @Override
    public String portSpace() {
        return kind.datagram() ? "udp" : "tcp";
    }

    @Override
    public boolean applyOption(Channel channel, Property<?> property, Object value) {
        return ChannelLink.SocketOptions.apply(channel, kind, property, value);
    }

    @Override
    public String toString() {
        return capabilities.name();
    }
}

package io.taps.internal.mptcp;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.taps.internal.transport.IoTransport;
import io.taps.internal.selection.BuiltInStacks;
import io.taps.internal.stack.ChannelLink;
import io.taps.internal.stack.ChannelStack;
import io.taps.internal.stack.StackKind;
import io.taps.properties.MultipathMode;
import io.taps.properties.Property;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackAttempt;
import io.taps.spi.StackBinding;
import io.taps.spi.StackCapabilities;
import io.taps.spi.StackListener;
import io.taps.spi.StackUse;
import io.taps.spi.Support;
import java.util.Map;
import java.util.Optional;

/**
 * Multipath TCP (RFC 8684; RFC 9623 §10.2 maps it like TCP plus the multipath properties) as a
 * protocol plug-in: MPTCP and TLS over MPTCP. Each is TCP's (or TLS/TCP's) pipeline on a socket of
 * protocol IPPROTO_MPTCP ({@link MptcpSockets}); the kernel negotiates MP_CAPABLE, adds subflows
 * and announces addresses as its path manager is configured ({@code ip mptcp endpoint},
 * {@code ip mptcp limits}, system-wide per network namespace), and falls back to plain TCP with a
 * peer that does not speak MPTCP ({@link MptcpLink} reports it).
 *
 * <p>Selection (RFC 9622 §6.2.14): usable only when {@code multipath} is Active or Passive; Active
 * (or an explicit Passive on a Listener) ranks it before TCP, which stays as the race's fallback,
 * so a system that cannot open MPTCP sockets silently uses TCP. {@code _taps.multipathTransport}
 * Require keeps only these stacks, and then such a system fails with NoCandidates naming the
 * kernel's reason. {@code multipathPolicy} (§8.1.7) is a hint: the kernel's scheduler and the
 * endpoints' backup flag decide, system-wide (docs/multipath.md).
 */
public final class MptcpStack implements ProtocolStack {
    private static final StackCapabilities MPTCP_CAPABILITIES = capabilities("MPTCP", BuiltInStacks.TCP);
    private static final StackCapabilities TLS_MPTCP_CAPABILITIES = capabilities("TLS/MPTCP", BuiltInStacks.TLS_TCP);

    /** MPTCP (RFC 8684). */
    public static final MptcpStack MPTCP = new MptcpStack(StackKind.TCP, MPTCP_CAPABILITIES);
    /** TLS over MPTCP (RFC 8446 over RFC 8684). */
    public static final MptcpStack TLS_MPTCP = new MptcpStack(StackKind.TLS_TCP, TLS_MPTCP_CAPABILITIES);

    private final StackKind kind;
    private final StackCapabilities capabilities;
    private final ChannelStack pipeline;
    /** Why this system's I/O transport cannot run MPTCP, or null. */
    private final String transportReason;

    private MptcpStack(StackKind kind, StackCapabilities capabilities) {
        this(kind, capabilities, null);
    }

    private MptcpStack(StackKind kind, StackCapabilities capabilities, String transportReason) {
        this.kind = kind;
        this.capabilities = capabilities;
        this.transportReason = transportReason;
        this.pipeline = ChannelStack.stream(kind, capabilities, MptcpSockets.INSTANCE,
                // An opportunistic TLS/MPTCP Listener's cleartext client runs on MPTCP (linkKind TCP).
                (channel, linkKind) -> new MptcpLink(channel, linkKind,
                        linkKind == StackKind.TLS_TCP ? TLS_MPTCP_CAPABILITIES : MPTCP_CAPABILITIES));
    }

    /**
     * TCP's capabilities (RFC 9623 §10.2: MPTCP maps exactly like TCP) with multipath and address
     * announcement optional, a multipath transport always, and no 0-RTT (TCP Fast Open over MPTCP
     * is not wired up).
     */
    private static StackCapabilities capabilities(String name, StackCapabilities tcp) {
        StackCapabilities.Builder builder = StackCapabilities.builder(name).secure(tcp.secure())
                .byteStream(tcp.byteStream());
        builder.tlsVersions(tcp.tlsVersions().toArray(new io.taps.security.TlsVersion[0]));
        tcp.propertyNamespaces().forEach(builder::propertyNamespace);
        for (Map.Entry<Property<?>, Support> declared : tcp.declared().entrySet()) {
            builder.support(declared.getKey(), declared.getValue());
        }
        return builder.support(Property.MULTIPATH, Support.OPTIONAL)
                .support(Property.ADVERTISES_ALTADDR, Support.OPTIONAL)
                .support(Property.MULTIPATH_TRANSPORT, Support.ALWAYS)
                .support(Property.ZERO_RTT_MSG, Support.NEVER)
                .build();
    }

    /**
     * This stack for a system running {@code transport}: itself on epoll; on NIO (no native
     * transport, or {@code nativeTransport(false)}) one that is unusable, saying why.
     */
    public MptcpStack on(IoTransport transport) {
        if (EpollSocketChannel.class.isAssignableFrom(transport.socketChannel())) {
            return this;
        }
        return new MptcpStack(kind, capabilities, "MPTCP needs Netty's native epoll transport; this system runs "
                + transport.displayName());
    }

    @Override
    public StackCapabilities capabilities() {
        return capabilities;
    }

    /**
     * Unusable with {@code multipath} Disabled (the Initiate default), and where this system cannot
     * open an MPTCP socket: not Linux, no native epoll, or a kernel that refuses (net.mptcp.enabled=0).
     */
    @Override
    public Optional<String> unusableReason(StackUse use) {
        if (use.properties().get(Property.MULTIPATH, use.role()) == MultipathMode.DISABLED) {
            return Optional.of("multipath is Disabled (RFC 9622 §6.2.14; set multipath Active, or Passive on a"
                    + " Listener, to use MPTCP)");
        }
        if (transportReason != null) {
            return Optional.of(transportReason);
        }
        Optional<String> native_ = MptcpNative.unavailableReason();
        if (native_.isPresent()) {
            return native_;
        }
        if (!Epoll.isAvailable()) {
            return Optional.of("MPTCP needs Netty's native epoll transport, which is unavailable: "
                    + Epoll.unavailabilityCause());
        }
        return pipeline.unusableReason(use);
    }

    /**
     * How many times this JVM asked the kernel whether it can open MPTCP sockets, loading JNA on
     * the first; for tests, without asking.
     */
    public static long nativeProbes() {
        return MptcpNative.PROBES.get();
    }

    @Override
    public void validate(StackUse use) {
        pipeline.validate(use);
    }

    @Override
    public void connect(StackAttempt attempt) {
        pipeline.connect(attempt);
    }

    @Override
    public StackListener listen(StackBinding binding) {
        return pipeline.listen(binding);
    }

    @Override
    public String portSpace() {
        return "tcp";
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

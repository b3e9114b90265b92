package io.taps.internal.mptcp;

import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import io.taps.internal.stack.ChannelLink;
import io.taps.internal.stack.StackKind;
import io.taps.properties.MultipathMode;
import io.taps.properties.Property;
import io.taps.spi.StackCapabilities;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The link of a Connection on an MPTCP socket (RFC 8684): TCP's link (same pipeline, same socket
 * options), plus what only the kernel knows once the peer answered. A peer that does not speak
 * MPTCP makes the connection fall back to plain TCP (RFC 8684 §3.7); the link then reports
 * {@code multipath} Disabled and the EstablishmentReport says so, and a Listener reports such a
 * Connection as plain TCP. {@code advertisesAltaddr} reads what the kernel's path manager does
 * for this connection: true when it has addresses to announce (ADD_ADDR, "signal" endpoints).
 */
final class MptcpLink extends ChannelLink {
    private final StackCapabilities mptcp;
    /** The last answer while the socket was open: the kernel cannot be asked after close. */
    private volatile Boolean lastInUse;
    private volatile MptcpNative.Info lastInfo;

    MptcpLink(Channel channel, StackKind kind, StackCapabilities mptcp) {
        super(channel, kind);
        this.mptcp = mptcp;
    }

    /**
     * Whether the connection runs MPTCP with its peer (not fallen back), when known. The kernel is
     * asked on the event loop (where the descriptor cannot be closed and reused meanwhile) or when
     * nothing is known yet; elsewhere the last answer stands.
     */
    Optional<Boolean> inUse() {
        Channel channel = channel();
        boolean ask = lastInUse == null || channel.eventLoop().inEventLoop();
        if (ask && channel instanceof UnixChannel && channel.isOpen()) {
            int fd = ((UnixChannel) channel).fd().intValue();
            Optional<Boolean> known = MptcpNative.isMptcp(fd);
            if (known.isEmpty()) {
                known = MptcpNative.info(fd).map(info -> !info.fallback());
            }
            known.ifPresent(value -> lastInUse = value);
            if (known.isPresent()) {
                return known;
            }
        }
        return Optional.ofNullable(lastInUse);
    }

    /** MPTCP_INFO, asked under the same rule as {@link #inUse()}; the last answer otherwise. */
    private Optional<MptcpNative.Info> info() {
        Channel channel = channel();
        boolean ask = lastInfo == null || channel.eventLoop().inEventLoop();
        if (ask && channel instanceof UnixChannel && channel.isOpen()) {
            MptcpNative.info(((UnixChannel) channel).fd().intValue()).ifPresent(info -> lastInfo = info);
        }
        return Optional.ofNullable(lastInfo);
    }

    /** MPTCP (or TLS/MPTCP) when the client spoke MPTCP; the plain TCP stack when it fell back. */
    @Override
    public StackCapabilities acceptedStack() {
        return inUse().orElse(false) ? mptcp : super.acceptedStack();
    }

    @Override
    public List<String> establishmentNotes() {
        Optional<Boolean> inUse = inUse();
        if (inUse.isEmpty()) {
            return List.of("MPTCP: the kernel cannot say whether the peer speaks MPTCP (no TCP_IS_MPTCP)");
        }
        if (!inUse.get()) {
            return List.of("MPTCP fell back to TCP: the peer did not answer MP_CAPABLE (TCP_IS_MPTCP=0)");
        }
        return List.of("MPTCP in use: the peer answered MP_CAPABLE (TCP_IS_MPTCP=1)"
                + info().map(i -> "; " + i.addAddrSignalMax() + " address(es) to announce").orElse(""));
    }

    /**
     * {@code multipath} Disabled and {@code _taps.multipathTransport} false once the peer fell back;
     * {@code advertisesAltaddr} as the path manager announces addresses for this connection.
     */
    @Override
    public Map<Property<?>, Object> appliedSelection() {
        Optional<Boolean> inUse = inUse();
        if (inUse.isEmpty()) {
            return Map.of();
        }
        Map<Property<?>, Object> applied = new LinkedHashMap<>();
        if (!inUse.get()) {
            applied.put(Property.MULTIPATH, MultipathMode.DISABLED);
            applied.put(Property.MULTIPATH_TRANSPORT, false);
            applied.put(Property.ADVERTISES_ALTADDR, false);
        } else {
            info().ifPresent(i -> applied.put(Property.ADVERTISES_ALTADDR, i.addAddrSignalMax() > 0));
        }
        return applied;
    }
}

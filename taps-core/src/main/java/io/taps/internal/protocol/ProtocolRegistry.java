package io.taps.internal.protocol;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.mptcp.MptcpStack;
import io.taps.internal.dtls.DtlsStack;
import io.taps.internal.multicast.MulticastStack;
import io.taps.internal.quic.QuicStack;
import io.taps.internal.stack.ChannelStack;
import io.taps.internal.transport.IoTransport;
import io.taps.spi.ProtocolStack;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The protocol stacks of one Transport Services system (design.md Q-15): the application's own,
 * in the order registered, then the built-ins TCP, TLS/TCP, UDP, QUIC, UDP multicast, MPTCP,
 * TLS/MPTCP (after TCP, so that only multipath Active or an explicit Passive ranks them first) and DTLS/UDP. The order
 * breaks ranking ties in selection (C-18), so an application's stack is preferred to a built-in
 * one that provides the same properties equally well.
 */
public final class ProtocolRegistry {
    private static final List<ProtocolStack> BUILT_IN = List.of(ChannelStack.TCP, ChannelStack.TLS_TCP,
            ChannelStack.UDP, QuicStack.INSTANCE, MulticastStack.INSTANCE,
            MptcpStack.MPTCP, MptcpStack.TLS_MPTCP, DtlsStack.INSTANCE);

    private ProtocolRegistry() {
    }

    /** The built-in stacks, in their tie-breaking order. */
    public static List<ProtocolStack> builtIn() {
        return BUILT_IN;
    }

    /**
     * {@code registered} then the built-ins; fails with InvalidConfiguration when two stacks share a
     * name (names identify stacks in reports and in {@code Connection.protocolStack()}).
     */
    public static List<ProtocolStack> with(List<ProtocolStack> registered) {
        return with(registered, BUILT_IN);
    }

    /**
     * {@link #with(List)} for a system running {@code transport}: the MPTCP stacks need Netty's
     * epoll channels, so on NIO they declare themselves unusable, saying why.
     */
    public static List<ProtocolStack> with(List<ProtocolStack> registered, IoTransport transport) {
        List<ProtocolStack> builtIn = new ArrayList<>();
        for (ProtocolStack stack : BUILT_IN) {
            builtIn.add(stack instanceof MptcpStack ? ((MptcpStack) stack).on(transport) : stack);
        }
        return with(registered, builtIn);
    }

    private static List<ProtocolStack> with(List<ProtocolStack> registered, List<ProtocolStack> builtIn) {
        List<ProtocolStack> all = new ArrayList<>(registered);
        all.addAll(builtIn);
        Set<String> names = new HashSet<>();
        for (ProtocolStack stack : all) {
            String name = stack.capabilities().name();
            if (!names.add(name)) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                        "two protocol stacks are named '" + name + "'; a stack's name must be unique");
            }
        }
        return List.copyOf(all);
    }
}

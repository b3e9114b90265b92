package io.taps.internal.stack;

import io.taps.internal.selection.BuiltInStacks;
import io.taps.spi.StackCapabilities;

/**
 * The built-in stacks, as their implementations in this package, {@code internal.quic} and
 * {@code internal.multicast} tell them apart (design.md Q-15: only protocol implementations may);
 * everything else sees a {@link io.taps.spi.ProtocolStack}.
 */
public enum StackKind {
    TCP(BuiltInStacks.TCP),
    TLS_TCP(BuiltInStacks.TLS_TCP),
    UDP(BuiltInStacks.UDP),
    /** QUIC (RFC 9000) over UDP via Netty's QUIC codec: each stream is one Connection. */
    QUIC(BuiltInStacks.QUIC);

    private final StackCapabilities capabilities;

    StackKind(StackCapabilities capabilities) {
        this.capabilities = capabilities;
    }

    public StackCapabilities capabilities() {
        return capabilities;
    }

    public boolean secure() {
        return this == TLS_TCP || this == QUIC;
    }

    public boolean datagram() {
        return this == UDP;
    }

    /** The kind whose capabilities these are. */
    public static StackKind of(StackCapabilities capabilities) {
        for (StackKind kind : values()) {
            if (kind.capabilities.name().equals(capabilities.name())) {
                return kind;
            }
        }
        throw new IllegalArgumentException("no pipeline for stack " + capabilities.name());
    }
}

package io.taps.internal.quic;

import io.netty.handler.codec.quic.Quic;

/**
 * Whether Netty's native QUIC codec works on this machine (design.md Q-15). Without it QUIC is
 * simply not a candidate stack, and a Require only QUIC meets fails with NoCandidates naming this.
 */
public final class QuicAvailability {
    private static final boolean AVAILABLE;
    private static final String REASON;

    static {
        boolean available;
        String reason;
        try {
            available = Quic.isAvailable();
            Throwable cause = Quic.unavailabilityCause();
            reason = available ? null : "the native QUIC codec is unavailable on this platform: " + cause;
        } catch (LinkageError missing) {
            available = false;
            reason = "the native QUIC codec is unavailable on this platform: " + missing;
        }
        AVAILABLE = available;
        REASON = reason;
    }

    private QuicAvailability() {
    }

    /** Whether QUIC can be used. */
    public static boolean available() {
        return AVAILABLE;
    }

    /** Why QUIC cannot be used, or null when it can. */
    public static String unavailableReason() {
        return REASON;
    }
}

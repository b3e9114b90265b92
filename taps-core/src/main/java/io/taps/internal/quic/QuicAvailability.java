package io.taps.internal.quic;

import io.netty.handler.codec.quic.Quic;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether Netty's native QUIC codec works on this machine (design.md Q-15). Without it QUIC is
 * simply not a candidate stack, and a Require only QUIC meets fails with NoCandidates naming this.
 *
 * <p>The native library (quiche, ~1 MiB of RSS) is loaded on the first question, not with this
 * class: selection asks only when QUIC could serve a Preconnection, so a TCP-only system never
 * loads it (issue 21).
 */
public final class QuicAvailability {
    /** How often availability was asked (for tests: a system that never needs QUIC never asks). */
    private static final AtomicLong ASKED = new AtomicLong();

    /** Loads the native codec once, on first use (the JVM's class initialisation makes that thread-safe). */
    private static final class Probe {
        static final boolean AVAILABLE;
        static final String REASON;

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
    }

    private QuicAvailability() {
    }

    /** Whether QUIC can be used. */
    public static boolean available() {
        ASKED.incrementAndGet();
        return Probe.AVAILABLE;
    }

    /** Why QUIC cannot be used, or null when it can. */
    public static String unavailableReason() {
        ASKED.incrementAndGet();
        return Probe.REASON;
    }

    /** How many times availability was asked in this JVM, without asking (tests). */
    public static long timesAsked() {
        return ASKED.get();
    }
}

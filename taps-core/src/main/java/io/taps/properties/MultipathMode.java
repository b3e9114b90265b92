package io.taps.properties;

import java.util.Map;

/**
 * The {@code multipath} Selection Property (RFC 9622 §6.2.14, SP-14). The default is
 * {@link #DISABLED} for Initiate and Rendezvous and {@link #PASSIVE} for Listeners.
 */
public enum MultipathMode {
    /** Do not use multiple paths, even if the chosen transport could. */
    DISABLED,
    /** Negotiate multiple paths if the chosen transport supports it. */
    ACTIVE,
    /** Accept multiple paths when the peer asks for them. */
    PASSIVE;

    /** Parses the RFC spelling in any case and separator style. */
    public static MultipathMode parse(String text) {
        return Words.parseEnum(MultipathMode.class, text, Map.of("off", DISABLED));
    }
}

package io.taps.properties;

import java.util.Map;

/**
 * The capacity profiles of {@code connCapacityProfile} (RFC 9622 §8.1.6, CP-06) and
 * {@code msgCapacityProfile} (§9.1.3.8, MP-08), each with the DSCP that RFC 9622 §8.1.6 suggests
 * for an unmultiplexed connection.
 *
 * <p>Where the RFC gives a class (AF41–AF44) taps uses its lowest drop precedence (AF41). For
 * Low Latency/Interactive the RFC allows EF (46) for inelastic traffic; taps uses AF41 because it
 * cannot tell whether the traffic is elastic.
 */
public enum CapacityProfile {
    /** Best effort; DSCP DF (0). */
    DEFAULT(0),
    /** Less than best effort (RFC 8622); DSCP LE (1). */
    SCAVENGER(1),
    /** Interactive, latency-sensitive traffic; DSCP AF41 (34). May also disable Nagle. */
    LOW_LATENCY_INTERACTIVE(34),
    /** Non-interactive but latency-sensitive traffic; DSCP AF21 (18). */
    LOW_LATENCY_NON_INTERACTIVE(18),
    /** Constant-rate streaming; DSCP AF31 (26). */
    CONSTANT_RATE_STREAMING(26),
    /** Bulk traffic that takes what capacity it can; DSCP AF11 (10). */
    CAPACITY_SEEKING(10);

    private final int dscp;

    CapacityProfile(int dscp) {
        this.dscp = dscp;
    }

    /** The DiffServ code point (6 bits, not yet shifted into the TOS byte). */
    public int dscp() {
        return dscp;
    }

    /** Parses the RFC spelling ("Low Latency/Interactive", "Capacity-Seeking") in any case. */
    public static CapacityProfile parse(String text) {
        return Words.parseEnum(CapacityProfile.class, text, Map.of("besteffort", DEFAULT));
    }
}

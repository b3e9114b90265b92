package io.taps.properties;

import java.util.Map;

/**
 * The {@code multipathPolicy} Connection Property (RFC 9622 §8.1.7, CP-07): how a multipath
 * transport uses its paths. A local choice only.
 */
public enum MultipathPolicy {
    /** Move traffic to another path only when the current one is lost (the default). */
    HANDOVER,
    /** Minimise latency, possibly by sending on several paths. */
    INTERACTIVE,
    /** Use every path to maximise capacity. */
    AGGREGATE;

    /** Parses the RFC spelling in any case and separator style. */
    public static MultipathPolicy parse(String text) {
        return Words.parseEnum(MultipathPolicy.class, text, Map.of());
    }
}

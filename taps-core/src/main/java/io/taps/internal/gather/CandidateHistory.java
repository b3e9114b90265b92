package io.taps.internal.gather;

/**
 * The ranking hook of past experience (RFC 9623 §4.1.3: "historical data"; HEv3 sorting by
 * historical RTT and success): within one stack branch, leaves with a lower rank are tried first;
 * equal ranks keep the RFC 6724 and family-interleaved order. The performance cache
 * ({@code io.taps.internal.cache.PerformanceCache}, RFC 9623 §9.2) implements it and is what every
 * establishment uses; {@link #NONE} ranks everything equally.
 */
@FunctionalInterface
public interface CandidateHistory {
    /** Ranks everything equally. */
    CandidateHistory NONE = leaf -> 0;

    /** Lower is better. */
    int rank(Leaf leaf);
}

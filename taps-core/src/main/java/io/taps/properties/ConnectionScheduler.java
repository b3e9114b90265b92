package io.taps.properties;

import java.util.Map;

/**
 * The {@code connScheduler} Connection Property (RFC 9622 §8.1.5, CP-05): how a Connection Group
 * shares capacity, using the stream schedulers of RFC 8260 §3.
 */
public enum ConnectionScheduler {
    /** First-Come, First-Served (RFC 8260 §3.1). */
    FCFS,
    /** Round-Robin per message (RFC 8260 §3.2). */
    ROUND_ROBIN,
    /** Round-Robin per packet (RFC 8260 §3.3). */
    ROUND_ROBIN_PER_PACKET,
    /** Priority-Based (RFC 8260 §3.4). */
    PRIORITY,
    /** Fair Capacity (RFC 8260 §3.5). */
    FAIR_CAPACITY,
    /** Weighted Fair Queueing (RFC 8260 §3.6), the RFC 9622 default. */
    WEIGHTED_FAIR_QUEUEING;

    /** Parses RFC 8260 names ("Weighted Fair Queueing", "First-Come, First-Served") and SCTP_SS_* short forms. */
    public static ConnectionScheduler parse(String text) {
        return Words.parseEnum(ConnectionScheduler.class, text, Map.of(
                "firstcomefirstserved", FCFS,
                "rr", ROUND_ROBIN,
                "roundrobinperpacket", ROUND_ROBIN_PER_PACKET,
                "rrpkt", ROUND_ROBIN_PER_PACKET,
                "prioritybased", PRIORITY,
                "prio", PRIORITY,
                "fc", FAIR_CAPACITY,
                "wfq", WEIGHTED_FAIR_QUEUEING));
    }
}

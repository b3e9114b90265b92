package io.taps.monitor;

import io.taps.TransportServices;

import java.util.List;

/**
 * The Cached State of a {@link TransportServices} (RFC 9623 §9; RFC 9621 §4.2 "Cached State";
 * checklist C-05, M-64..M-67; design.md Q-18), for monitoring (the Spring actuator endpoint) and
 * for tests. Obtained from {@link TransportServices#cachedState()}; every method reads the live
 * caches, each result is a snapshot.
 *
 * <ul>
 *   <li>Performance cache (§9.2): per remote address and local network, the smoothed RTT,
 *       establishment time and decayed success and failure counts; it orders the addresses of the
 *       next race.</li>
 *   <li>DNS answers (§9.1): kept for their TTL by the resolver.</li>
 *   <li>TLS sessions (§9.1): kept per server name and port by the TLS client contexts, so that a
 *       later connection to the same name resumes.</li>
 * </ul>
 *
 * <p>Connections with {@code isolateSession} (RFC 9622 §8.1.10) use private caches that never show
 * here.
 */
public interface CachedState {
    /** A snapshot of the shared performance cache, most recently updated first. */
    List<PathStatistics> performance();

    /** How many DNS answers are cached, counted per (name, address family). */
    int dnsEntries();

    /**
     * How many TLS client sessions are cached for resumption. TLS client contexts are shared by
     * every TransportServices in the process (building one costs milliseconds), so this counts the
     * sessions of the whole process.
     */
    int tlsSessions();

    /**
     * Forgets the performance cache and the DNS answers of this TransportServices, and the cached
     * TLS client sessions (of the whole process, see {@link #tlsSessions()}).
     */
    void clear();
}

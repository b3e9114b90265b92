package io.taps.spring.boot.autoconfigure.actuate;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The Cached State of the Transport Services system in the taps endpoint (RFC 9623 §9; checklist
 * M-64..M-67): what the performance cache learned per path, and how many DNS answers and TLS
 * sessions are cached. Only counts and timings: never a cached session or its keys.
 *
 * @param performance every performance cache entry, most recently updated first
 * @param dnsEntries  cached DNS answers, per (name, address family)
 * @param tlsSessions cached TLS client sessions (of the whole process)
 */
public record CacheDescriptor(List<PathStatisticsDescriptor> performance, int dnsEntries, int tlsSessions) {

    /**
     * One performance cache entry (RFC 9623 §9.2): a remote address over one local network.
     *
     * @param remote              the remote address, for example {@code 127.0.0.1:7000}
     * @param localNetwork        the local interface or address prefix, or {@code default}
     * @param smoothedRttMs       the smoothed round-trip time in milliseconds; null when never measured
     * @param establishmentTimeMs the smoothed establishment time in milliseconds; null before a success
     * @param successes           the decayed number of successful attempts
     * @param failures            the decayed number of failed attempts
     * @param lastUpdated         when the last outcome was recorded (ISO-8601)
     */
    public record PathStatisticsDescriptor(String remote, String localNetwork, @Nullable Double smoothedRttMs,
            @Nullable Double establishmentTimeMs, double successes, double failures, String lastUpdated) {
    }
}

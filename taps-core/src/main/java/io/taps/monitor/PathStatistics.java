package io.taps.monitor;

import io.taps.TransportServices;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the performance cache has learned about one remote address reached over one local network
 * (RFC 9623 §9.2 "Performance Caches"; checklist M-64, M-67; design.md Q-18): smoothed RTT,
 * smoothed connection-establishment time and the establishment success record. Immutable; a
 * snapshot taken by {@link CachedState#performance()}.
 *
 * <p>Successes and failures are decayed counts: each halves once per configured half-life
 * ({@link TransportServices.Builder#performanceHalfLife(Duration)}), so old experience fades and an
 * address that failed long ago is tried in its natural order again. An attempt cancelled after it
 * went unanswered for at least one connection attempt delay (a blackholed address) counts as half
 * a failure.
 *
 * @param remote the remote address and port
 * @param localNetwork the local network the attempts used: the local interface name when the path
 *     named one, else the local address's prefix ({@code /24} for IPv4, {@code /64} for IPv6), else
 *     {@code "default"} for the path on which the operating system picks the source
 * @param smoothedRtt the smoothed round-trip time (TCP_INFO on epoll, else the TCP handshake time
 *     of plain TCP attempts), empty when never measured
 * @param establishmentTime the smoothed time from the start of an attempt to its whole stack being
 *     ready, empty before the first success
 * @param successes the decayed number of attempts that succeeded
 * @param failures the decayed number of attempts that failed (unanswered ones weigh one half)
 * @param lastUpdated when the last outcome was recorded
 */
public record PathStatistics(InetSocketAddress remote, String localNetwork, Optional<Duration> smoothedRtt,
        Optional<Duration> establishmentTime, double successes, double failures, Instant lastUpdated) {
    /** Rejects nulls. */
    public PathStatistics {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(localNetwork, "localNetwork");
        Objects.requireNonNull(smoothedRtt, "smoothedRtt");
        Objects.requireNonNull(establishmentTime, "establishmentTime");
        Objects.requireNonNull(lastUpdated, "lastUpdated");
    }
}

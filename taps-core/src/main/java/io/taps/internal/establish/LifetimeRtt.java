package io.taps.internal.establish;

import io.taps.internal.cache.PerformanceCache;
import io.taps.internal.conn.Link;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.gather.Leaf;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Samples the round-trip time of an established Connection during its whole life into the
 * performance cache (RFC 9623 §9.2, M-67), not only at establishment: every {@link #INTERVAL} the
 * transport's own smoothed RTT (TCP_INFO on epoll, QUIC's estimate) is read on the connection's
 * event loop, one getsockopt per interval and nothing per message, until the Connection is closed.
 * A link without its own estimate is not sampled.
 */
final class LifetimeRtt {
    /** How often a live Connection's RTT is read. */
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final AtomicInteger samples = new AtomicInteger();
    private final ScheduledFuture<?> timer;

    private LifetimeRtt(TapsConnection connection, Link link, Leaf leaf, PerformanceCache cache, Duration interval) {
        long nanos = interval.toNanos();
        this.timer = connection.eventLoop().scheduleAtFixedRate(() -> {
            Optional<Duration> rtt;
            try {
                rtt = link.smoothedRtt();
            } catch (RuntimeException closedMeanwhile) {
                return;
            }
            if (rtt.isPresent() && !rtt.get().isZero()) {
                cache.rttSampled(leaf, rtt.get());
                samples.incrementAndGet();
            }
        }, nanos, nanos, TimeUnit.NANOSECONDS);
        connection.closed().whenComplete((done, failure) -> timer.cancel(false));
    }

    /** Starts sampling the Connection won on {@code leaf} every {@code interval}, until it is closed. */
    static LifetimeRtt start(TapsConnection connection, Link link, Leaf leaf, PerformanceCache cache, Duration interval) {
        return new LifetimeRtt(connection, link, leaf, cache, interval);
    }

    /** How many samples were taken. */
    int samples() {
        return samples.get();
    }

    /** Whether sampling has stopped (the Connection was closed). */
    boolean stopped() {
        return timer.isDone();
    }
}

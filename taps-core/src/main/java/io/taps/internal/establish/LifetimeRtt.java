package io.taps.internal.establish;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.taps.internal.cache.PerformanceCache;
import io.taps.internal.conn.ConnectionEnd;
import io.taps.internal.conn.Link;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.gather.Leaf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Samples the round-trip time of established Connections during their whole life into the
 * performance cache (RFC 9623 §9.2, M-67), not only at establishment: every {@link #INTERVAL} the
 * transport's own smoothed RTT (TCP_INFO on epoll, QUIC's estimate) of each live Connection is
 * read on its event loop, one getsockopt per Connection and interval, nothing per message.
 *
 * <p>One sampler per event loop serves all its Connections with one timer, which runs only while
 * it has Connections: a timer per Connection cost a scheduled-task insert and removal on the loop
 * for every connect and close (issue 21 item 1). A Connection leaves at once when it closes, so a
 * closed one is neither kept nor read.
 */
final class LifetimeRtt {
    /** How often a live Connection's RTT is read. */
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private static final ConcurrentMap<EventLoop, LifetimeRtt> SHARED = new ConcurrentHashMap<>();

    private final EventLoop loop;
    private final long intervalNanos;
    /** The live Connections, on the loop only; each knows its index for removal in O(1). */
    private final List<Sampled> live = new ArrayList<>();
    private ScheduledFuture<?> timer;
    private int timersScheduled;

    LifetimeRtt(EventLoop loop, Duration interval) {
        this.loop = loop;
        this.intervalNanos = interval.toNanos();
    }

    /**
     * Samples {@code connection}, won on {@code leaf}, into {@code cache} every {@link #INTERVAL}
     * until it closes, with the sampler of its event loop.
     */
    static void start(TapsConnection connection, Link link, Leaf leaf, PerformanceCache cache) {
        EventLoop loop = connection.eventLoop();
        if (!loop.inEventLoop()) {
            loop.execute(() -> start(connection, link, leaf, cache));
            return;
        }
        // Only this loop's thread adds its entry, and the entry goes only when the loop ends.
        SHARED.computeIfAbsent(loop, LifetimeRtt::sharedSampler).register(connection, link, leaf, cache);
    }

    private static LifetimeRtt sharedSampler(EventLoop loop) {
        // One sampler for the loop's whole life (an idle one holds no timer), removed when the loop
        // ends, so a closed TransportServices leaves no loop reachable from here.
        loop.terminationFuture().addListener(ended -> SHARED.remove(loop));
        return new LifetimeRtt(loop, INTERVAL);
    }

    /** The shared sampler of {@code loop}, once it had a Connection and until the loop ends (for tests). */
    static Optional<LifetimeRtt> sharedOf(EventLoop loop) {
        return Optional.ofNullable(SHARED.get(loop));
    }

    /** Samples {@code connection} until it closes; on this sampler's event loop. */
    Sampled register(TapsConnection connection, Link link, Leaf leaf, PerformanceCache cache) {
        Sampled sampled = new Sampled(this, connection, link, leaf, cache);
        sampled.index = live.size();
        live.add(sampled);
        if (timer == null) {
            timersScheduled++;
            timer = loop.schedule(this::tick, intervalNanos, TimeUnit.NANOSECONDS);
        }
        // The entry itself is told of the end: a dependent of closed() made that future and a stage
        // chain per Connection (1.3% of the bytes of a TCP connect + close, issue 21).
        connection.whenClosed(sampled);
        return sampled;
    }

    private void remove(Sampled sampled) {
        int index = sampled.index;
        if (index < 0) {
            return;
        }
        sampled.index = -1;
        Sampled last = live.remove(live.size() - 1);
        if (last != sampled) {
            last.index = index;
            live.set(index, last);
        }
    }

    private void tick() {
        for (int i = 0; i < live.size(); i++) {
            live.get(i).sample();
        }
        if (live.isEmpty()) {
            // Idle: no timer until the next Connection. The loop keeps its sampler until it ends.
            timer = null;
        } else {
            timersScheduled++;
            timer = loop.schedule(this::tick, intervalNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** How many Connections are sampled now; on the loop. */
    int sampling() {
        return live.size();
    }

    /** How many times a timer was scheduled on the loop. */
    int timersScheduled() {
        return timersScheduled;
    }

    /** One sampled Connection. */
    static final class Sampled implements ConnectionEnd {
        private final LifetimeRtt sampler;
        private final TapsConnection connection;
        private final Link link;
        private final Leaf leaf;
        private final PerformanceCache cache;
        private volatile int samples;
        private volatile int index;

        private Sampled(LifetimeRtt sampler, TapsConnection connection, Link link, Leaf leaf, PerformanceCache cache) {
            this.sampler = sampler;
            this.connection = connection;
            this.link = link;
            this.leaf = leaf;
            this.cache = cache;
        }

        /** The Connection closed (normally or not): it leaves its sampler, on the sampler's loop. */
        @Override
        public void ended(TapsConnection closed) {
            if (sampler.loop.inEventLoop()) {
                sampler.remove(this);
            } else {
                sampler.loop.execute(() -> sampler.remove(this));
            }
        }

        private void sample() {
            Duration rtt = RttSample.measured(link);
            if (rtt != null) {
                cache.rttSampled(leaf, rtt);
                connection.rttMeasured(rtt);
                samples++;
            }
        }

        /** How many samples were taken. */
        int samples() {
            return samples;
        }

        /** Whether sampling has stopped (the Connection was closed). */
        boolean stopped() {
            return index < 0;
        }
    }
}

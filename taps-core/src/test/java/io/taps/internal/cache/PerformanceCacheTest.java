package io.taps.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.taps.monitor.PathStatistics;
import io.taps.internal.gather.CandidateTree;
import io.taps.internal.gather.Leaf;
import io.taps.internal.gather.LocalPath;
import io.taps.internal.stack.ChannelStack;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The performance cache on its own (RFC 9623 §9.2; M-67; design.md Q-18): ranking, decay,
 * smoothing, bound and concurrent updates. Time is a hand-driven nanosecond clock so decay is
 * exact; the racing behaviour on real sockets is in {@code CachedStateTest}.
 */
class PerformanceCacheTest {
    static final Duration HALF_LIFE = Duration.ofMinutes(10);
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final PerformanceCache cache = new PerformanceCache(4096, HALF_LIFE, now::get);

    static Leaf leaf(String address, int port) {
        return leaf(LocalPath.DEFAULT, address, port);
    }

    static Leaf leaf(LocalPath path, String address, int port) {
        return new Leaf(path, ChannelStack.TCP, List.of(), new InetSocketAddress(address, port), address);
    }

    void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void ranksGoodThenUnknownThenFailed() {
        Leaf fast = leaf("192.0.2.1", 80);
        Leaf slow = leaf("192.0.2.2", 80);
        Leaf unknown = leaf("192.0.2.3", 80);
        Leaf refused = leaf("192.0.2.4", 80);
        Leaf blackholed = leaf("192.0.2.5", 80);
        cache.succeeded(fast, Duration.ofMillis(3), null);
        cache.succeeded(slow, Duration.ofMillis(90), null);
        cache.failed(refused);
        cache.unanswered(blackholed);
        assertThat(cache.rank(fast)).isLessThan(cache.rank(slow));
        assertThat(cache.rank(slow)).isLessThan(cache.rank(unknown));
        assertThat(cache.rank(unknown)).isEqualTo(PerformanceCache.RANK_UNKNOWN);
        assertThat(cache.rank(refused)).isEqualTo(PerformanceCache.RANK_BAD);
        assertThat(cache.rank(blackholed)).isEqualTo(PerformanceCache.RANK_BAD);
        assertThat(cache.avoided(blackholed.remote(), LocalPath.DEFAULT)).isTrue();
        assertThat(cache.avoided(fast.remote(), LocalPath.DEFAULT)).isFalse();
    }

    @Test
    void onlySignificantlyDifferentTimesReorder() {
        Leaf a = leaf("192.0.2.1", 80);
        Leaf b = leaf("192.0.2.2", 80);
        cache.succeeded(a, Duration.ofNanos(300_000), null);
        cache.succeeded(b, Duration.ofNanos(700_000), null);
        // Both below a millisecond: equal rank, so RFC 6724 / family order decides.
        assertThat(cache.rank(a)).isEqualTo(cache.rank(b));
    }

    @Test
    void aBlackholedAddressIsTriedAgainAfterOneHalfLifeAndAFailedOneAfterTwo() {
        Leaf blackholed = leaf("192.0.2.5", 80);
        Leaf refused = leaf("192.0.2.4", 80);
        cache.unanswered(blackholed);
        cache.failed(refused);
        advance(HALF_LIFE.minusSeconds(1));
        assertThat(cache.rank(blackholed)).isEqualTo(PerformanceCache.RANK_BAD);
        advance(Duration.ofSeconds(2));
        assertThat(cache.rank(blackholed)).isEqualTo(PerformanceCache.RANK_UNKNOWN);
        assertThat(cache.rank(refused)).isEqualTo(PerformanceCache.RANK_BAD);
        advance(HALF_LIFE);
        assertThat(cache.rank(refused)).isEqualTo(PerformanceCache.RANK_UNKNOWN);
        assertThat(cache.snapshot()).extracting(PathStatistics::failures)
                .allSatisfy(f -> assertThat(f).isLessThanOrEqualTo(0.25 + 1e-9));
    }

    @Test
    void successesOutweighOccasionalFailures() {
        Leaf leaf = leaf("192.0.2.1", 443);
        for (int i = 0; i < 3; i++) {
            cache.succeeded(leaf, Duration.ofMillis(2), null);
        }
        cache.failed(leaf);
        assertThat(cache.rank(leaf)).isLessThan(PerformanceCache.RANK_UNKNOWN);
        cache.failed(leaf);
        cache.failed(leaf);
        cache.failed(leaf);
        assertThat(cache.rank(leaf)).isEqualTo(PerformanceCache.RANK_BAD);
    }

    @Test
    void smoothsRttAndEstablishmentTimeAndDecaysCounts() {
        Leaf leaf = leaf("192.0.2.1", 443);
        cache.succeeded(leaf, Duration.ofMillis(8), Duration.ofMillis(4));
        cache.succeeded(leaf, Duration.ofMillis(16), Duration.ofMillis(12));
        cache.succeeded(leaf, Duration.ofMillis(16), null);
        PathStatistics stats = cache.snapshot().get(0);
        // Establishment: 8, then 8 + (16 - 8) / 4 = 10, then 10 + 6 / 4 = 11.5 ms. RTT: 4 + 8 / 8 = 5 ms, kept without a sample.
        assertThat(stats.establishmentTime()).contains(Duration.ofNanos(11_500_000));
        assertThat(stats.smoothedRtt()).contains(Duration.ofMillis(5));
        assertThat(stats.successes()).isEqualTo(3.0);
        assertThat(stats.failures()).isZero();
        assertThat(stats.remote()).isEqualTo(leaf.remote());
        assertThat(stats.localNetwork()).isEqualTo("default");
        advance(HALF_LIFE);
        assertThat(cache.snapshot().get(0).successes()).isCloseTo(1.5, within(1e-9));
    }

    @Test
    void keysIncludeThePortAndTheLocalNetwork() throws Exception {
        cache.unanswered(leaf("192.0.2.1", 80));
        assertThat(cache.rank(leaf("192.0.2.1", 443))).isEqualTo(PerformanceCache.RANK_UNKNOWN);
        LocalPath wifi = new LocalPath(InetAddress.getByName("10.1.2.3"), 0, "wlan0");
        assertThat(cache.rank(leaf(wifi, "192.0.2.1", 80))).isEqualTo(PerformanceCache.RANK_UNKNOWN);
        assertThat(PerformanceCache.localNetwork(wifi)).isEqualTo("wlan0");
        assertThat(PerformanceCache.localNetwork(new LocalPath(InetAddress.getByName("10.1.2.3"), 0, null)))
                .isEqualTo("10.1.2.0/24");
        assertThat(PerformanceCache.localNetwork(new LocalPath(InetAddress.getByName("2001:db8:1:2:3::4"), 0, null)))
                .isEqualTo("2001:db8:1:2::/64");
        assertThat(PerformanceCache.localNetwork(LocalPath.DEFAULT)).isEqualTo("default");
    }

    @Test
    void ordersTheLeavesOfACandidateTree() {
        cache.unanswered(leaf("::1", 7000));
        cache.succeeded(leaf("127.0.0.1", 7000), Duration.ofMillis(1), null);
        CandidateTree tree = CandidateTree.build(List.of(LocalPath.DEFAULT), List.of(ChannelStack.TCP), List.of(),
                List.of(new CandidateTree.Target("dual.test", List.of(new InetSocketAddress("::1", 7000),
                        new InetSocketAddress("127.0.0.1", 7000)))), cache, 64, 16);
        assertThat(tree.leaves()).extracting(l -> l.remote().getAddress().getHostAddress())
                .containsExactly("127.0.0.1", "0:0:0:0:0:0:0:1");
    }

    @Test
    void staysWithinItsBoundDroppingTheLeastRecentlyUpdated() {
        PerformanceCache small = new PerformanceCache(16, HALF_LIFE, now::get);
        for (int i = 0; i < 40; i++) {
            now.incrementAndGet();
            small.failed(leaf("192.0.2." + (i + 1), 80));
        }
        assertThat(small.size()).isLessThanOrEqualTo(16);
        assertThat(small.rank(leaf("192.0.2.40", 80))).isEqualTo(PerformanceCache.RANK_BAD);
        assertThat(small.rank(leaf("192.0.2.1", 80))).isEqualTo(PerformanceCache.RANK_UNKNOWN);
        PerformanceCache off = new PerformanceCache(0, HALF_LIFE, now::get);
        off.failed(leaf("192.0.2.1", 80));
        assertThat(off.size()).isZero();
        assertThat(off.rank(leaf("192.0.2.1", 80))).isEqualTo(PerformanceCache.RANK_UNKNOWN);
    }

    @Test
    void aCacheOfOneEntryKeepsTheLatestUpdate() {
        PerformanceCache one = new PerformanceCache(1, HALF_LIFE, now::get);
        one.failed(leaf("192.0.2.1", 80));
        now.incrementAndGet();
        one.failed(leaf("192.0.2.2", 80));
        assertThat(one.size()).isEqualTo(1);
        assertThat(one.rank(leaf("192.0.2.2", 80))).as("the newest entry survives eviction")
                .isEqualTo(PerformanceCache.RANK_BAD);
        assertThat(one.rank(leaf("192.0.2.1", 80))).isEqualTo(PerformanceCache.RANK_UNKNOWN);
    }

    @Test
    void concurrentUpdatesFromManyThreadsAreAllCounted() throws Exception {
        Leaf leaf = leaf("192.0.2.1", 80);
        int threads = 4;
        int each = 2000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < each; i++) {
                    cache.succeeded(leaf, Duration.ofMillis(1), null);
                    cache.failed(leaf);
                }
            });
            worker.start();
            workers.add(worker);
        }
        go.countDown();
        for (Thread worker : workers) {
            worker.join(10_000);
        }
        PathStatistics stats = cache.snapshot().get(0);
        assertThat(stats.successes()).isEqualTo(threads * each);
        assertThat(stats.failures()).isEqualTo(threads * each);
    }

    /**
     * The key's local network is made once, not per rank or update (issue 21: concatenating it each
     * time was 2.8% of the bytes of a TCP connect + close): the default path's, with the host's
     * attachment, only when the attachment changes; an address's prefix once per address.
     */
    @Test
    void keysReuseTheirLocalNetworkAndFollowTheAttachment() throws Exception {
        assertThat(cache.networkOf(LocalPath.DEFAULT)).isEqualTo("default");
        cache.attachedNetwork("eth0 192.0.2.0/24");
        String attached = cache.networkOf(LocalPath.DEFAULT);
        assertThat(attached).isEqualTo("default via eth0 192.0.2.0/24");
        assertThat(cache.networkOf(LocalPath.DEFAULT)).as("made once per attachment").isSameAs(attached);
        cache.attachedNetwork("eth0 192.0.2.0/24");
        assertThat(cache.networkOf(LocalPath.DEFAULT)).as("the same attachment again").isSameAs(attached);
        cache.attachedNetwork("wlan0 198.51.100.0/24");
        assertThat(cache.networkOf(LocalPath.DEFAULT)).isEqualTo("default via wlan0 198.51.100.0/24");
        cache.attachedNetwork(null);
        assertThat(cache.networkOf(LocalPath.DEFAULT)).isEqualTo("default");

        LocalPath wired = new LocalPath(InetAddress.getByName("10.1.2.3"), 0, null);
        String prefix = cache.networkOf(wired);
        assertThat(prefix).isEqualTo("10.1.2.0/24");
        assertThat(cache.networkOf(new LocalPath(InetAddress.getByName("10.1.2.3"), 0, null)))
                .as("made once per address").isSameAs(prefix);
        assertThat(cache.networkOf(new LocalPath(InetAddress.getByName("10.1.2.3"), 0, "eth1"))).isEqualTo("eth1");

        // What was learnt under one attachment is not applied under another.
        cache.attachedNetwork("eth0 192.0.2.0/24");
        cache.failed(leaf("192.0.2.10", 443));
        assertThat(cache.rank(leaf("192.0.2.10", 443))).isEqualTo(PerformanceCache.RANK_BAD);
        cache.attachedNetwork("wlan0 198.51.100.0/24");
        assertThat(cache.rank(leaf("192.0.2.10", 443))).isEqualTo(PerformanceCache.RANK_UNKNOWN);
    }
}

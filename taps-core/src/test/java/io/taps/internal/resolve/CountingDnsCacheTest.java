package io.taps.internal.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.resolver.dns.DnsCacheEntry;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The DNS answer count of {@link CountingDnsCache} against Netty's own expiry (RFC 9623 §9.1, M-65),
 * on a real event loop: Netty drops every answer of a name when its shortest TTL ends, so the
 * count must not outlive that.
 */
class CountingDnsCacheTest {
    static final DnsRecord[] NONE = new DnsRecord[0];
    static DefaultEventLoopGroup loops;

    @BeforeAll
    static void start() {
        loops = new DefaultEventLoopGroup(1);
    }

    @AfterAll
    static void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    static boolean nettyHolds(CountingDnsCache cache, String name) {
        List<? extends DnsCacheEntry> entries = cache.get(name, NONE);
        return entries != null && !entries.isEmpty();
    }

    @Test
    void aNameIsCountedOnlyAsLongAsNettyKeepsItsAnswers() throws Exception {
        CountingDnsCache cache = new CountingDnsCache();
        EventLoop loop = loops.next();
        cache.cache("mixed.ttl.test", NONE, InetAddress.getByName("127.0.0.1"), 1, loop);
        cache.cache("mixed.ttl.test", NONE, InetAddress.getByName("127.0.0.2"), 300, loop);
        assertThat(cache.size()).isEqualTo(1);
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !nettyHolds(cache, "mixed.ttl.test"));
        assertThat(cache.size()).as("Netty forgot the name when its 1 s answer expired").isZero();
    }

    @Test
    void aNameCachedAgainAfterItsAnswersExpiredIsCountedAgain() throws Exception {
        CountingDnsCache cache = new CountingDnsCache();
        EventLoop loop = loops.next();
        cache.cache("again.ttl.test", NONE, InetAddress.getByName("127.0.0.1"), 1, loop);
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !nettyHolds(cache, "again.ttl.test"));
        cache.cache("again.ttl.test", NONE, InetAddress.getByName("127.0.0.1"), 300, loop);
        assertThat(nettyHolds(cache, "again.ttl.test")).isTrue();
        assertThat(cache.size()).isEqualTo(1);
    }
}

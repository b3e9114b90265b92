package io.taps.internal.resolve;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.resolver.dns.DefaultDnsCache;
import io.netty.resolver.dns.DnsCache;
import io.netty.resolver.dns.DnsCacheEntry;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Netty's {@link DefaultDnsCache} (answers kept for their TTL, RFC 9623 §9.1, M-65) plus a count of
 * the names it holds, which Netty's cache does not offer: each cached name remembers until when its
 * shortest-lived answer is valid, since Netty drops all of a name's answers then. The count is for monitoring (CachedState); lookups go to Netty's
 * cache unchanged, so a name is counted no longer than Netty keeps it.
 */
final class CountingDnsCache implements DnsCache {
    private final DefaultDnsCache delegate = new DefaultDnsCache();
    private final Map<String, Long> expiries = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    CountingDnsCache() {
        this(System::nanoTime);
    }

    CountingDnsCache(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** The names with an answer still valid now. */
    int size() {
        long now = nanoClock.getAsLong();
        expiries.entrySet().removeIf(e -> e.getValue() - now <= 0);
        return expiries.size();
    }

    @Override
    public void clear() {
        delegate.clear();
        expiries.clear();
    }

    @Override
    public boolean clear(String hostname) {
        expiries.remove(hostname);
        return delegate.clear(hostname);
    }

    @Override
    public List<? extends DnsCacheEntry> get(String hostname, DnsRecord[] additionals) {
        return delegate.get(hostname, additionals);
    }

    @Override
    public DnsCacheEntry cache(String hostname, DnsRecord[] additionals, InetAddress address, long originalTtl,
            EventLoop loop) {
        // Read before Netty schedules its expiry, so the count never outlives Netty's entry.
        long now = nanoClock.getAsLong();
        DnsCacheEntry entry = delegate.cache(hostname, additionals, address, originalTtl, loop);
        long ttl = Math.max(delegate.minTtl(), Math.min(delegate.maxTtl(), originalTtl));
        if (ttl > 0) {
            long until = now + ttl * 1_000_000_000L;
            // Netty drops all answers of a name when the shortest-lived one expires (it keeps the
            // earliest expiry scheduled); an expiry already past belongs to answers Netty dropped.
            expiries.merge(hostname, until, (old, added) -> old - now > 0 && old - added <= 0 ? old : added);
        }
        return entry;
    }

    @Override
    public DnsCacheEntry cache(String hostname, DnsRecord[] additionals, Throwable cause, EventLoop loop) {
        // Negative answers are cached for Netty's negative TTL (0 by default): not counted.
        return delegate.cache(hostname, additionals, cause, loop);
    }
}

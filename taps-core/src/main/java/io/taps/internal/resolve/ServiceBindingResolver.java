package io.taps.internal.resolve;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.AddressedEnvelope;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks for the HTTPS record of an origin (RFC 9460 §9) beside its A and AAAA records, through
 * Netty's DNS resolver as a raw query, and parses the answer with dnsjava ({@link ServiceBinding}).
 *
 * <p>A query that fails or times out means "no record": an HTTPS answer never makes establishment
 * fail. Answers are kept for their TTL, negative ones for the SOA's negative TTL when the server
 * sends one (RFC 2308 §5), at most {@value #MAX_CACHED} names; an isolated Connection neither reads
 * nor fills the cache.
 */
final class ServiceBindingResolver implements AutoCloseable {
    static final int MAX_CACHED = 1024;

    private record Cached(ServiceLookup lookup, long expiresNanos) {
    }

    private final DnsNameResolverBuilder template;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private DnsNameResolver resolver;
    private boolean closed;

    ServiceBindingResolver(DnsNameResolverBuilder template) {
        this.template = template;
    }

    /** The name to ask for an origin reached on {@code port} (RFC 9460 §9.1: port prefix unless 443). */
    static String queryName(String host, int port) {
        String name = host.endsWith(".") ? host : host + ".";
        return port == 443 ? name : "_" + port + "._https." + name;
    }

    CompletableFuture<ServiceLookup> lookUp(String host, int port, boolean useCache) {
        String qname = queryName(host, port).toLowerCase(Locale.ROOT);
        if (useCache) {
            Cached hit = cache.get(qname);
            if (hit != null && hit.expiresNanos - System.nanoTime() > 0) {
                return CompletableFuture.completedFuture(hit.lookup);
            }
            if (hit != null) {
                cache.remove(qname, hit);
            }
        }
        DnsNameResolver dns = resolver();
        CompletableFuture<ServiceLookup> result = new CompletableFuture<>();
        if (dns == null) {
            result.complete(ServiceLookup.none(qname));
            return result;
        }
        dns.query(new DefaultDnsQuestion(qname, DnsRecordType.HTTPS)).addListener(f -> {
            if (!f.isSuccess()) {
                result.complete(ServiceLookup.none(qname));
                return;
            }
            @SuppressWarnings("unchecked")
            AddressedEnvelope<DnsResponse, InetSocketAddress> envelope =
                    (AddressedEnvelope<DnsResponse, InetSocketAddress>) f.getNow();
            try {
                long[] ttl = {Long.MAX_VALUE};
                ServiceLookup lookup = read(qname, envelope.content(), ttl);
                if (useCache && ttl[0] > 0 && ttl[0] != Long.MAX_VALUE) {
                    remember(qname, new Cached(lookup, System.nanoTime() + ttl[0] * 1_000_000_000L));
                }
                result.complete(lookup);
            } catch (RuntimeException e) {
                result.complete(ServiceLookup.none(qname));
            } finally {
                envelope.release();
            }
        });
        return result;
    }

    /** Keeps an answer; when the cache is full, expired answers go first, and without any the answer is not kept. */
    private void remember(String qname, Cached answer) {
        if (cache.size() >= MAX_CACHED) {
            long now = System.nanoTime();
            cache.values().removeIf(cached -> cached.expiresNanos - now <= 0);
        }
        if (cache.size() < MAX_CACHED || cache.containsKey(qname)) {
            cache.put(qname, answer);
        }
    }

    /** The usable binding with the lowest SvcPriority; {@code ttl[0]} gets how long the answer may be kept. */
    private static ServiceLookup read(String qname, DnsResponse response, long[] ttl) {
        List<String> skipped = new ArrayList<>();
        ServiceBinding best = null;
        int answers = 0;
        if (response.code() == DnsResponseCode.NOERROR) {
            for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
                DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
                if (!(record instanceof DnsRawRecord raw) || !DnsRecordType.HTTPS.equals(record.type())) {
                    continue; // a CNAME on the way, say: the HTTPS records that follow it are what counts
                }
                answers++;
                ttl[0] = Math.min(ttl[0], raw.timeToLive());
                try {
                    ServiceBinding binding = ServiceBinding.parse(qname, ByteBufUtil.getBytes(raw.content()), skipped);
                    if (binding != null && (best == null || binding.priority() < best.priority())) {
                        best = binding;
                    }
                } catch (java.io.IOException | RuntimeException malformed) {
                    skipped.add("malformed HTTPS record skipped: " + malformed.getMessage());
                }
            }
        }
        if (answers == 0) {
            ttl[0] = negativeTtl(response);
        }
        return new ServiceLookup(qname, best, answers, skipped);
    }

    /**
     * RFC 2308 §5: the lesser of the SOA's TTL and its MINIMUM; no SOA, no caching. MINIMUM is read
     * from the last four bytes of the RDATA because the names before it may be compressed pointers
     * into the whole message, which a raw record no longer has.
     */
    private static long negativeTtl(DnsResponse response) {
        for (int i = 0; i < response.count(DnsSection.AUTHORITY); i++) {
            DnsRecord record = response.recordAt(DnsSection.AUTHORITY, i);
            if (record instanceof DnsRawRecord raw && DnsRecordType.SOA.equals(record.type())) {
                io.netty.buffer.ByteBuf rdata = raw.content();
                if (rdata.readableBytes() < 22) {
                    return 0;
                }
                long minimum = rdata.getUnsignedInt(rdata.writerIndex() - 4);
                return Math.min(raw.timeToLive(), minimum);
            }
        }
        return 0;
    }

    void clearCache() {
        cache.clear();
    }

    private synchronized DnsNameResolver resolver() {
        if (closed) {
            return null;
        }
        if (resolver == null) {
            resolver = template.copy().build();
        }
        return resolver;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (resolver != null) {
            resolver.close();
        }
    }
}

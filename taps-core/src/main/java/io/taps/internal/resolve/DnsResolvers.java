package io.taps.internal.resolve;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.resolver.InetNameResolver;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.taps.internal.blocking.BlockingWork;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The DNS half of an {@link EndpointResolver}: Netty's resolvers for A and AAAA with their caches
 * (RFC 9623 §9.1, M-65), the uncached pair for isolated Connections (M-66) and the HTTPS record
 * lookups (RFC 9460 §9).
 *
 * <p>An EndpointResolver builds this on its first DNS question, not with itself: a system that
 * only listens on or connects to address literals never asks DNS, and building costs ~5 MB of
 * allocation, Netty's DNS classes and two datagram channels (issue 21, figure 12's RSS). Building
 * reads {@code /etc/resolv.conf} (Netty's platform defaults, its search domains and {@code ndots}),
 * so it is blocking work and never runs on an event loop ({@link BlockingWork#check}).
 */
final class DnsResolvers implements AutoCloseable {
    final CountingDnsCache ipv4Cache = new CountingDnsCache();
    final CountingDnsCache ipv6Cache = new CountingDnsCache();
    final InetNameResolver ipv4;
    final InetNameResolver ipv6;
    final ServiceBindingResolver services;
    private final DnsNameResolverBuilder uncachedTemplate;
    private InetNameResolver ipv4Uncached;
    private InetNameResolver ipv6Uncached;

    /**
     * @param nameServers the servers to ask, never empty (a resolver without any never builds this)
     * @param socketChannelFactory used for the TCP retry of truncated answers; {@code null} keeps
     *     resolution UDP-only
     */
    DnsResolvers(EventLoop eventLoop, ChannelFactory<? extends DatagramChannel> datagramChannelFactory,
            ChannelFactory<? extends SocketChannel> socketChannelFactory, ResolverConfig config,
            List<InetSocketAddress> nameServers) {
        BlockingWork.check("building the DNS resolvers");
        // Netty's platform default falls back to public servers when resolv.conf names none; taps
        // asks only servers someone configured.
        DnsServerAddressStreamProvider servers = new SequentialDnsServerAddressStreamProvider(nameServers);
        DnsNameResolverBuilder builder = new DnsNameResolverBuilder(eventLoop)
                .datagramChannelFactory(datagramChannelFactory)
                .nameServerProvider(servers)
                .queryTimeoutMillis(Math.max(1, config.queryTimeout().toMillis()))
                // The hosts file was consulted already, with the never-to-DNS rule Netty lacks.
                .hostsFileEntriesResolver((name, types) -> null)
                .recursionDesired(true)
                .completeOncePreferredResolved(false);
        if (socketChannelFactory != null) {
            builder.socketChannelFactory(socketChannelFactory);
        }
        config.searchDomains().ifPresent(domains -> builder.searchDomains(domains));
        // Built on first use only: isolated Connections (isolateSession) ask DNS afresh.
        this.uncachedTemplate = builder.copy().resolveCache(NoopDnsCache.INSTANCE)
                .cnameCache(NoopDnsCnameCache.INSTANCE)
                .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE);
        this.services = new ServiceBindingResolver(uncachedTemplate);
        this.ipv4 = builder.copy().resolveCache(ipv4Cache).resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY).build();
        try {
            this.ipv6 = builder.copy().resolveCache(ipv6Cache).resolvedAddressTypes(ResolvedAddressTypes.IPV6_ONLY)
                    .build();
        } catch (RuntimeException e) {
            ipv4.close();
            throw e;
        }
    }

    /** The resolver of one family, cached or one that neither reads nor keeps cached answers. */
    InetNameResolver resolver(boolean v6, boolean useCache) {
        if (useCache) {
            return v6 ? ipv6 : ipv4;
        }
        return uncached(v6);
    }

    /** How many DNS answers are cached, counted per (name, address family). */
    int cachedAnswers() {
        return ipv4Cache.size() + ipv6Cache.size();
    }

    void clearCache() {
        services.clearCache();
        ipv4Cache.clear();
        ipv6Cache.clear();
    }

    /**
     * Built on first use; Netty's builder only sets up the resolver and registers its channel
     * asynchronously, and the platform files were read when this object was built, off the loop.
     */
    private synchronized InetNameResolver uncached(boolean v6) {
        if (v6) {
            if (ipv6Uncached == null) {
                ipv6Uncached = uncachedTemplate.copy().resolvedAddressTypes(ResolvedAddressTypes.IPV6_ONLY).build();
            }
            return ipv6Uncached;
        }
        if (ipv4Uncached == null) {
            ipv4Uncached = uncachedTemplate.copy().resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY).build();
        }
        return ipv4Uncached;
    }

    /** Closes the DNS channels. */
    @Override
    public void close() {
        try {
            ipv4.close();
        } finally {
            ipv6.close();
            services.close();
            synchronized (this) {
                if (ipv4Uncached != null) {
                    ipv4Uncached.close();
                }
                if (ipv6Uncached != null) {
                    ipv6Uncached.close();
                }
            }
        }
    }
}

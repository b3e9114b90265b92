package io.taps.internal.cache;

import io.taps.monitor.CachedState;
import io.taps.monitor.PathStatistics;
import io.taps.internal.resolve.EndpointResolver;
import io.taps.internal.security.SslContexts;
import java.util.List;

/** {@link CachedState} over the live caches of one Engine (RFC 9623 §9). */
public final class CachedStateView implements CachedState {
    private final PerformanceCache performance;
    private final EndpointResolver resolver;

    public CachedStateView(PerformanceCache performance, EndpointResolver resolver) {
        this.performance = performance;
        this.resolver = resolver;
    }

    @Override
    public List<PathStatistics> performance() {
        return performance.snapshot();
    }

    @Override
    public int dnsEntries() {
        return resolver.cachedAnswers();
    }

    @Override
    public int tlsSessions() {
        return SslContexts.clientSessionCount();
    }

    @Override
    public void clear() {
        performance.clear();
        resolver.clearCache();
        SslContexts.clearClientSessions();
    }

    @Override
    public String toString() {
        return "CachedState[performance=" + performance.size() + " entries, dns=" + dnsEntries() + ", tls="
                + tlsSessions() + " sessions]";
    }
}

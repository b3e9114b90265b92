package io.taps.internal.cache;

import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.ssl.SslContext;
import io.taps.internal.blocking.BlockingWork;
import io.taps.internal.security.QuicSslContexts;
import io.taps.internal.security.SslContexts;
import io.taps.security.SecurityParameters;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The caches one establishment reads and feeds (RFC 9623 §9; checklist C-10, M-64..M-67; design.md
 * the performance cache that orders the race, the TLS client contexts whose session caches
 * give resumption, and whether cached DNS answers may be used.
 *
 * <p>The {@link #shared shared} scope of a TransportServices is what every Connection uses by
 * default. A Connection with {@code isolateSession} (RFC 9622 §8.1.10, CP-10) gets an
 * {@link #isolated isolated} scope: an empty private performance cache, TLS contexts of its own (so
 * no session from outside is resumed and none of its sessions leaks out), and DNS answers asked
 * afresh. Connections that must share one isolated scope (a Connection Group's clones) are given
 * the same instance; resumption within the scope works as usual.
 */
public final class CacheScope {
    /** Size of the private performance cache of an isolated scope (it only ever sees its group). */
    static final int ISOLATED_PERFORMANCE_ENTRIES = 256;

    private final PerformanceCache performance;
    private final boolean isolated;
    private final Map<SecurityParameters, SslContext> privateTlsContexts;
    private final Map<SecurityParameters, QuicSslContext> privateQuicContexts;

    private CacheScope(PerformanceCache performance, boolean isolated) {
        this.performance = Objects.requireNonNull(performance, "performance");
        this.isolated = isolated;
        this.privateTlsContexts = isolated ? new ConcurrentHashMap<>() : Map.of();
        this.privateQuicContexts = isolated ? new ConcurrentHashMap<>() : Map.of();
    }

    /** The scope shared by every non-isolated Connection of a TransportServices. */
    public static CacheScope shared(PerformanceCache performance) {
        return new CacheScope(performance, false);
    }

    /** A new private scope with empty caches and the default half-life. */
    public static CacheScope isolated() {
        return new CacheScope(new PerformanceCache(ISOLATED_PERFORMANCE_ENTRIES, PerformanceCache.DEFAULT_HALF_LIFE),
                true);
    }

    /** A new private scope whose performance cache decays like {@code like}'s. */
    public static CacheScope isolatedLike(PerformanceCache like) {
        return new CacheScope(new PerformanceCache(Math.min(like.maxEntries(), ISOLATED_PERFORMANCE_ENTRIES),
                like.halfLife()), true);
    }

    public boolean isIsolated() {
        return isolated;
    }

    /** The performance cache that ranks this scope's races and learns from their outcomes. */
    public PerformanceCache performance() {
        return performance;
    }

    /** Whether resolution may answer from the DNS cache (an isolated scope asks afresh). */
    public boolean useDnsCache() {
        return !isolated;
    }

    /**
     * The client TLS context for {@code params}: the process-wide cached one, or in an isolated
     * scope one of its own (its session cache is the scope's).
     */
    public SslContext clientContext(SecurityParameters params) {
        if (!isolated) {
            return SslContexts.forClient(params);
        }
        if (params.maxCachedSessions().orElse(-1) == 0) {
            // No session may be kept at all (SEC-06): a context per connection, as the shared path does for JSSE.
            return SslContexts.newClient(params);
        }
        return privateTlsContexts.computeIfAbsent(params, SslContexts::newClient);
    }

    /**
     * The QUIC client TLS context for {@code params}: the process-wide cached one, or in an isolated
     * scope one of its own, because the QUIC session tickets that resumption and 0-RTT early data
     * use live in the context (RFC 9001 §4.6).
     */
    public QuicSslContext quicClientContext(SecurityParameters params) {
        if (!isolated || params.maxCachedSessions().orElse(-1) == 0) {
            // The shared path already gives a context per connection when no session may be kept (SEC-06).
            return QuicSslContexts.forClient(params);
        }
        return privateQuicContexts.computeIfAbsent(params, QuicSslContexts::newClient);
    }

    /**
     * {@link #clientContext} without blocking the calling event loop: a context that exists is
     * returned at once, one that must be built (the first of an isolated scope, one per attempt
     * under maxCachedSessions(0), the first of a configuration) is built on {@code blocking}, since
     * that reads key material and trust anchors (design: nothing blocks an event loop).
     */
    public CompletionStage<SslContext> clientContext(SecurityParameters params, Executor blocking) {
        SslContext ready;
        try {
            ready = readyClientContext(params);
        } catch (RuntimeException invalid) {
            return CompletableFuture.failedFuture(invalid);
        }
        return ready != null ? CompletableFuture.completedFuture(ready)
                : BlockingWork.supply(() -> clientContext(params), blocking);
    }

    private SslContext readyClientContext(SecurityParameters params) {
        if (!isolated) {
            return SslContexts.cachedClient(params);
        }
        return params.maxCachedSessions().orElse(-1) == 0 ? null : privateTlsContexts.get(params);
    }

    /** {@link #quicClientContext} without blocking the calling event loop, as {@link #clientContext(SecurityParameters, Executor)}. */
    public CompletionStage<QuicSslContext> quicClientContext(SecurityParameters params, Executor blocking) {
        QuicSslContext ready;
        try {
            ready = !isolated || params.maxCachedSessions().orElse(-1) == 0 ? QuicSslContexts.cachedClient(params)
                    : privateQuicContexts.get(params);
        } catch (RuntimeException invalid) {
            return CompletableFuture.failedFuture(invalid);
        }
        return ready != null ? CompletableFuture.completedFuture(ready)
                : BlockingWork.supply(() -> quicClientContext(params), blocking);
    }

    /** The TLS sessions this scope's private contexts hold (0 for the shared scope: see SslContexts). */
    public int privateTlsSessions() {
        int sessions = 0;
        for (SslContext context : privateTlsContexts.values()) {
            sessions += SslContexts.sessionCount(context);
        }
        return sessions;
    }
}

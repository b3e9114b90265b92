package io.taps.internal.security;

import io.netty.handler.ssl.SslProvider;
import io.taps.security.SecurityParameters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A small LRU of TLS contexts keyed by (parameters value, side, provider), shared by the TLS/TCP
 * and the QUIC context factories (RFC 9622 §6.3; ). A context owns its session cache, so
 * reusing one per configuration is what makes session resumption work across connections; building
 * one costs milliseconds, so it happens outside the lock and a racing duplicate is dropped. An
 * evicted context is released by Netty once no connection uses it.
 *
 * @param <C> the context type
 */
final class ContextCache<C> {
    /**
     * The identity of a cached context; {@code provider} is {@code null} where there is no choice
     * (QUIC); {@code earlyData} tells a QUIC server context that accepts 0-RTT from one that does not.
     */
    record Key(SecurityParameters params, boolean server, SslProvider provider, boolean earlyData) {
        Key(SecurityParameters params, boolean server, SslProvider provider) {
            this(params, server, provider, false);
        }
    }

    private final Map<Key, C> contexts;

    ContextCache(int maxContexts) {
        this.contexts = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, C> eldest) {
                return size() > maxContexts;
            }
        };
    }

    /** The cached context for {@code key}, built by {@code build} when there is none. */
    C get(Key key, Supplier<C> build) {
        synchronized (contexts) {
            C cached = contexts.get(key);
            if (cached != null) {
                return cached;
            }
        }
        C built = build.get();
        synchronized (contexts) {
            C raced = contexts.putIfAbsent(key, built);
            return raced != null ? raced : built;
        }
    }

    /** The cached context for {@code key}, or null: never builds one. */
    C peek(Key key) {
        synchronized (contexts) {
            return contexts.get(key);
        }
    }

    /** How many contexts are cached. */
    int size() {
        synchronized (contexts) {
            return contexts.size();
        }
    }

    /** The cached client-side contexts, at this moment. */
    List<C> clientContexts() {
        List<C> clients = new ArrayList<>();
        synchronized (contexts) {
            contexts.forEach((key, context) -> {
                if (!key.server()) {
                    clients.add(context);
                }
            });
        }
        return clients;
    }
}

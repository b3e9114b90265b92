package io.taps.spring.listener;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Holds the {@link TapsListenerEndpoint}s and connection callbacks the annotation post-processor
 * found until every singleton exists, then hands them to the {@link TapsListenerRegistry}; from
 * then on it registers at once (beans created later, e.g. lazy ones, still get their listeners).
 */
public final class TapsListenerEndpointRegistrar {
    private final List<TapsListenerEndpoint> endpoints = new ArrayList<>();
    private final List<Callback> callbacks = new ArrayList<>();
    private @Nullable TapsListenerRegistry registry;

    private record Callback(String id, HandlerMethod method, boolean closed) {
    }

    /** Registers an endpoint now or once the registry is known. */
    public synchronized void registerEndpoint(TapsListenerEndpoint endpoint) {
        if (this.registry != null) {
            this.registry.register(endpoint);
        }
        else {
            this.endpoints.add(endpoint);
        }
    }

    synchronized void registerCallback(String id, HandlerMethod method, boolean closed) {
        if (this.registry != null) {
            add(this.registry, new Callback(id, method, closed));
        }
        else {
            this.callbacks.add(new Callback(id, method, closed));
        }
    }

    private static void add(TapsListenerRegistry registry, Callback callback) {
        if (callback.closed()) {
            registry.registerConnectionClosed(callback.id(), callback.method());
        }
        else {
            registry.registerConnectionReceived(callback.id(), callback.method());
        }
    }

    /** Hands everything collected so far to {@code target}. */
    synchronized void registerAll(TapsListenerRegistry target) {
        this.registry = target;
        for (Callback callback : this.callbacks) {
            add(target, callback);
        }
        for (TapsListenerEndpoint endpoint : this.endpoints) {
            target.register(endpoint);
        }
        this.callbacks.clear();
        this.endpoints.clear();
    }
}

package io.taps.spring.boot.autoconfigure.metrics;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.spring.client.TapsClientConnections;
import io.taps.spring.listener.RunningTapsListener;
import io.taps.spring.listener.TapsListenerRegistry;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Profiles from the {@code @TapsListener} registry: an accepted Connection carries the profile of
 * the listener that accepted it; an initiated one the profile and name of the {@code taps.clients}
 * client that made it. The registry is looked up per Connection, not at construction,
 * because the registry depends on the TransportServices that this observer is part of.
 */
final class RegistryConnectionProfiles implements ConnectionProfiles {
    private final ObjectProvider<TapsListenerRegistry> registry;

    private final @Nullable ObjectProvider<TapsClientConnections> clients;

    RegistryConnectionProfiles(ObjectProvider<TapsListenerRegistry> registry) {
        this(registry, null);
    }

    /** Also names the profile and client of Connections that {@code taps.clients} initiated. */
    RegistryConnectionProfiles(ObjectProvider<TapsListenerRegistry> registry,
            @Nullable ObjectProvider<TapsClientConnections> clients) {
        this.registry = registry;
        this.clients = clients;
    }

    @Override
    public String clientOf(Connection connection, @Nullable Listener acceptedBy) {
        TapsClientConnections.ClientIdentity client = acceptedBy == null ? clientIdentity(connection) : null;
        return client != null ? client.client() : UNKNOWN;
    }

    private TapsClientConnections.@Nullable ClientIdentity clientIdentity(Connection connection) {
        TapsClientConnections connections = this.clients == null ? null : this.clients.getIfAvailable();
        return connections == null ? null : connections.clientOf(connection).orElse(null);
    }

    @Override
    public String profileOf(Connection connection, @Nullable Listener acceptedBy) {
        TapsListenerRegistry listeners = acceptedBy == null ? null : registry.getIfAvailable();
        if (listeners != null) {
            for (RunningTapsListener running : listeners.listeners()) {
                if (running.listener() == acceptedBy) {
                    return running.profile();
                }
            }
        }
        if (acceptedBy == null) {
            TapsClientConnections.ClientIdentity client = clientIdentity(connection);
            if (client != null) {
                return client.profile();
            }
        }
        return UNKNOWN;
    }
}

package io.taps.spring.boot.autoconfigure.metrics;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.spring.client.TapsClientConnections;
import io.taps.spring.listener.RunningTapsListener;
import io.taps.spring.listener.TapsListenerRegistry;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Profiles, listener ids and client names from the {@code @TapsListener} registry and the
 * {@code taps.clients}: an accepted Connection carries the profile and id of the listener that
 * accepted it; an initiated one the profile and name of the client that made it. Both are looked
 * up per Connection, not at construction, because they depend on the TransportServices that the
 * observers using this are part of. Not final, so a subclass can answer for further Connections.
 */
public class RegistryConnectionProfiles implements ConnectionProfiles {
    private final ObjectProvider<TapsListenerRegistry> registry;

    private final @Nullable ObjectProvider<TapsClientConnections> clients;

    public RegistryConnectionProfiles(ObjectProvider<TapsListenerRegistry> registry) {
        this(registry, null);
    }

    /** Also names the profile and client of Connections that {@code taps.clients} initiated. */
    public RegistryConnectionProfiles(ObjectProvider<TapsListenerRegistry> registry,
            @Nullable ObjectProvider<TapsClientConnections> clients) {
        this.registry = registry;
        this.clients = clients;
    }

    @Override
    public String profileOf(Connection connection, @Nullable Listener acceptedBy) {
        if (acceptedBy == null) {
            TapsClientConnections.ClientIdentity client = clientIdentity(connection);
            return client == null ? UNKNOWN : client.profile();
        }
        RunningTapsListener running = runningListener(acceptedBy);
        return running == null ? UNKNOWN : running.profile();
    }

    @Override
    public String listenerIdOf(Connection connection, @Nullable Listener acceptedBy) {
        RunningTapsListener running = runningListener(acceptedBy);
        return running == null ? UNKNOWN : running.id();
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

    /** The running {@code @TapsListener} whose core Listener is {@code listener}; null if none. */
    protected @Nullable RunningTapsListener runningListener(@Nullable Listener listener) {
        TapsListenerRegistry listeners = listener == null ? null : registry.getIfAvailable();
        if (listeners != null) {
            for (RunningTapsListener running : listeners.listeners()) {
                if (running.listener() == listener) {
                    return running;
                }
            }
        }
        return null;
    }
}

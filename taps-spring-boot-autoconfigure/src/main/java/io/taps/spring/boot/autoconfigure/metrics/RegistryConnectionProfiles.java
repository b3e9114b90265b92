package io.taps.spring.boot.autoconfigure.metrics;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.spring.listener.RunningTapsListener;
import io.taps.spring.listener.TapsListenerRegistry;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Profiles from the {@code @TapsListener} registry: an accepted Connection carries the profile of
 * the listener that accepted it. The registry is looked up per Connection, not at construction,
 * because the registry depends on the TransportServices that this observer is part of.
 */
final class RegistryConnectionProfiles implements ConnectionProfiles {
    private final ObjectProvider<TapsListenerRegistry> registry;

    RegistryConnectionProfiles(ObjectProvider<TapsListenerRegistry> registry) {
        this.registry = registry;
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
        return UNKNOWN;
    }
}

package io.taps.spring.boot.autoconfigure.metrics;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.spring.listener.RunningTapsListener;
import io.taps.spring.listener.TapsListenerRegistry;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Profiles and listener ids from the {@code @TapsListener} registry: an accepted Connection
 * carries the profile and id of the listener that accepted it. The registry is looked up per
 * Connection, not at construction, because the registry depends on the TransportServices that
 * the observers using this are part of. Not final, so a subclass can answer for initiated
 * Connections too (a client's profile) and keep these answers for accepted ones.
 */
public class RegistryConnectionProfiles implements ConnectionProfiles {
    private final ObjectProvider<TapsListenerRegistry> registry;

    public RegistryConnectionProfiles(ObjectProvider<TapsListenerRegistry> registry) {
        this.registry = registry;
    }

    @Override
    public String profileOf(Connection connection, @Nullable Listener acceptedBy) {
        RunningTapsListener running = runningListener(acceptedBy);
        return running == null ? UNKNOWN : running.profile();
    }

    @Override
    public String listenerIdOf(Connection connection, @Nullable Listener acceptedBy) {
        RunningTapsListener running = runningListener(acceptedBy);
        return running == null ? UNKNOWN : running.id();
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

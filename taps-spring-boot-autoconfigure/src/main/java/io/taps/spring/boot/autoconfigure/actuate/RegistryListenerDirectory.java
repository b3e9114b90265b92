package io.taps.spring.boot.autoconfigure.actuate;

import io.taps.spring.listener.ListenerHandlerFigures;
import io.taps.spring.listener.RunningTapsListener;
import io.taps.spring.listener.TapsListenerEndpoint;
import io.taps.spring.listener.TapsListenerRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@code @TapsListener} endpoints of a {@link TapsListenerRegistry} as a
 * {@link ListenerDirectory}: every registered endpoint with its id and profile; one that should
 * run (auto-startup while the registry runs) but has no bound Listener counts as not bound.
 */
public final class RegistryListenerDirectory implements ListenerDirectory {
    private final TapsListenerRegistry registry;

    public RegistryListenerDirectory(TapsListenerRegistry registry) {
        this.registry = registry;
    }

    @Override
    public List<DeclaredListener> declaredListeners() {
        List<DeclaredListener> all = new ArrayList<>();
        boolean registryRunning = registry.isRunning();
        for (TapsListenerEndpoint endpoint : registry.endpoints()) {
            Optional<RunningTapsListener> running = registry.listener(endpoint.id());
            all.add(new DeclaredListener(endpoint.id(), endpoint.profile(),
                    running.map(RunningTapsListener::listener).orElse(null),
                    running.isPresent() || (registryRunning && endpoint.autoStartup())));
        }
        return all;
    }

    @Override
    public @Nullable ListenerHandlerFigures handlerFigures(String id) {
        return registry.handlerFigures(id).orElse(null);
    }
}

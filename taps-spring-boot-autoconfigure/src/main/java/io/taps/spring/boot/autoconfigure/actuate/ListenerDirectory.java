package io.taps.spring.boot.autoconfigure.actuate;

import io.taps.Listener;
import io.taps.TransportServices;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The Listeners an application declared, with their names and profiles, bound or not: what the
 * taps endpoint lists and the health indicator checks. The {@code @TapsListener} registry answers
 * when present; otherwise every live Listener of the {@link TransportServices} is listed unnamed.
 */
@FunctionalInterface
public interface ListenerDirectory {

    /** Every declared Listener, in a stable order. */
    List<DeclaredListener> declaredListeners();

    /** The handler figures of the {@code @TapsListener} {@code id}; null when it is not one or never started. */
    default io.taps.spring.listener.@Nullable ListenerHandlerFigures handlerFigures(String id) {
        return null;
    }

    /**
     * One declared Listener.
     *
     * @param id       the listener id ({@code @TapsListener(id = ...)}), or a generated one
     * @param profile  the taps property profile it listens with, {@code "none"} when unknown
     * @param listener the core Listener (RFC 9622 §7.2) once Listen was called, else null
     * @param running  whether it is started (a stopped one is not expected to be bound)
     */
    record DeclaredListener(String id, String profile, @Nullable Listener listener, boolean running) {
    }

    /**
     * The directory the endpoint and the health indicator use: the {@code @TapsListener} registry's
     * when there is one, else every live Listener of {@code services}, unnamed.
     */
    static ListenerDirectory of(TransportServices services,
            io.taps.spring.listener.@Nullable TapsListenerRegistry registry) {
        return registry != null ? new RegistryListenerDirectory(registry)
                : of(services, new ObjectIds<Listener>("listener"));
    }

    /** Lists the live Listeners of {@code services}, named by {@code ids}. */
    static ListenerDirectory of(TransportServices services, ObjectIds<Listener> ids) {
        return () -> {
            List<DeclaredListener> all = new ArrayList<>();
            for (Listener listener : services.listeners()) {
                all.add(new DeclaredListener(ids.idOf(listener), "none", listener, true));
            }
            all.sort(ObjectIds.byNumber(DeclaredListener::id));
            return all;
        };
    }
}

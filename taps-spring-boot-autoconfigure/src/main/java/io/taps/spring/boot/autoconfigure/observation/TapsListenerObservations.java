package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.taps.Connection;
import io.taps.Message;
import io.taps.spring.listener.RunningTapsListener;
import io.taps.spring.listener.TapsListenerObserver;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * One Observation per Message a {@code @TapsListener} method handles, from the start of the
 * handler to the reply's Sent (RFC 9622 §9.2.2.1) or the handler's error. A served Connection
 * handles one Message at a time, so the running Observation is kept per Connection. While the
 * handler method runs, and while its exception handlers and error handler run, the Observation is
 * the current one on their thread (an open scope).
 */
public final class TapsListenerObservations implements TapsListenerObserver {
    private final ObservationRegistry registry;
    private final @Nullable ListenerMessageObservationConvention convention;
    private final ConcurrentMap<Connection, Observation> running = new ConcurrentHashMap<>();
    private final ConcurrentMap<Connection, Observation.Scope> scopes = new ConcurrentHashMap<>();
    private final ConcurrentMap<Connection, Observation.Scope> errorScopes = new ConcurrentHashMap<>();

    public TapsListenerObservations(ObservationRegistry registry,
            @Nullable ListenerMessageObservationConvention convention) {
        this.registry = registry;
        this.convention = convention;
    }

    @Override
    public void messageHandlingStarted(RunningTapsListener listener, Connection connection, Message message) {
        Observation observation = Observation.createNotStarted(convention,
                DefaultListenerMessageObservationConvention.INSTANCE,
                () -> new ListenerMessageObservationContext(listener, connection, message), registry);
        if (!observation.isNoop()) {
            running.put(connection, observation.start());
            // Current while the handler method runs, so what it observes or logs belongs to it.
            scopes.put(connection, observation.openScope());
        }
    }

    @Override
    public void messageHandlerReturned(RunningTapsListener listener, Connection connection, Message message) {
        Observation.Scope scope = scopes.remove(connection);
        if (scope != null) {
            scope.close();
        }
    }

    /**
     * The error handlers of the Message run with its Observation current (a scope on their thread),
     * so their log lines carry its trace id; the Observation itself ends in {@link #messageHandled}.
     */
    @Override
    public void errorHandlingStarted(RunningTapsListener listener, Connection connection, @Nullable Message message,
            Throwable error) {
        Observation observation = message == null ? null : running.get(connection);
        if (observation != null) {
            errorScopes.put(connection, observation.openScope());
        }
    }

    @Override
    public void errorHandlingFinished(RunningTapsListener listener, Connection connection, @Nullable Message message) {
        Observation.Scope scope = errorScopes.remove(connection);
        if (scope != null) {
            scope.close();
        }
    }

    @Override
    public void messageHandled(RunningTapsListener listener, Connection connection, Message message, long nanos,
            @Nullable Throwable error) {
        Observation observation = running.remove(connection);
        if (observation == null) {
            return;
        }
        if (error != null) {
            observation.error(error);
        }
        observation.stop();
    }

    @Override
    public void connectionClosed(RunningTapsListener listener, Connection connection, @Nullable Throwable error) {
        Observation abandoned = running.remove(connection);
        if (abandoned != null) {
            abandoned.stop();
        }
    }
}

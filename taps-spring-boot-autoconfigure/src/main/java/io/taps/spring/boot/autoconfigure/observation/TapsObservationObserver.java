package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.taps.Connection;
import io.taps.monitor.EstablishmentResult;
import io.taps.monitor.TransportObserver;
import io.taps.TransportServicesException;
import io.taps.spring.client.TapsClientConnections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * Turns each Initiate (RFC 9622 §7.1) into a Micrometer Observation that starts at Initiate and
 * stops at Ready or EstablishmentError, through the core {@link TransportObserver} hook.
 */
public final class TapsObservationObserver implements TransportObserver {
    private final ObservationRegistry registry;
    private final @Nullable EstablishmentObservationConvention convention;
    private final ConcurrentMap<Connection, Observation> running = new ConcurrentHashMap<>();
    private final @Nullable TapsClientConnections clients;

    public TapsObservationObserver(ObservationRegistry registry,
            @Nullable EstablishmentObservationConvention convention) {
        this(registry, convention, null);
    }

    /** An observer that names the client and profile of Connections {@code clients} knows. */
    public TapsObservationObserver(ObservationRegistry registry,
            @Nullable EstablishmentObservationConvention convention, @Nullable TapsClientConnections clients) {
        this.registry = registry;
        this.convention = convention;
        this.clients = clients;
    }

    private void nameClient(Connection connection, EstablishmentObservationContext context) {
        if (clients != null) {
            clients.clientOf(connection).ifPresent(client -> context.setClient(client.client(), client.profile()));
        }
    }

    @Override
    public void establishmentStarted(Connection connection) {
        Observation observation = Observation.createNotStarted(convention,
                DefaultEstablishmentObservationConvention.INSTANCE,
                () -> {
                    EstablishmentObservationContext context = new EstablishmentObservationContext(connection);
                    nameClient(connection, context);
                    return context;
                }, registry);
        if (!observation.isNoop()) {
            running.put(connection, observation.start());
        }
    }

    @Override
    public void establishmentFinished(Connection connection, EstablishmentResult result) {
        Observation observation = running.remove(connection);
        if (observation == null) {
            return;
        }
        EstablishmentObservationContext context = (EstablishmentObservationContext) observation.getContext();
        context.setResult(result);
        if (context.getClientName() == null) {
            nameClient(connection, context);
        }
        result.failure().ifPresent(reason -> observation.error(new TransportServicesException(reason,
                "establishment failed: " + reason.rfcName())));
        observation.stop();
    }
}

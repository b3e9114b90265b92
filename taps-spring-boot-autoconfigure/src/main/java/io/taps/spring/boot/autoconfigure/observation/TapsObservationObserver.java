package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.taps.Connection;
import io.taps.monitor.EstablishmentResult;
import io.taps.monitor.TransportObserver;
import io.taps.spring.boot.autoconfigure.metrics.ConnectionProfiles;
import io.taps.TransportServicesException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * Turns each Initiate (RFC 9622 §7.1) into a Micrometer Observation that starts at Initiate and
 * stops at Ready or EstablishmentError, through the core {@link TransportObserver} hook: a client
 * span (kind CLIENT) tagged with the Connection's profile.
 */
public final class TapsObservationObserver implements TransportObserver {
    private final ObservationRegistry registry;
    private final @Nullable EstablishmentObservationConvention convention;
    private final ConnectionProfiles profiles;
    private final ConcurrentMap<Connection, Observation> running = new ConcurrentHashMap<>();

    public TapsObservationObserver(ObservationRegistry registry,
            @Nullable EstablishmentObservationConvention convention) {
        this(registry, convention, ConnectionProfiles.NONE);
    }

    /** @param profiles names the profile of each initiated Connection, for {@code taps.profile} */
    public TapsObservationObserver(ObservationRegistry registry,
            @Nullable EstablishmentObservationConvention convention, ConnectionProfiles profiles) {
        this.registry = registry;
        this.convention = convention;
        this.profiles = profiles;
    }

    private void nameClient(Connection connection, EstablishmentObservationContext context) {
        String client = profiles.clientOf(connection, null);
        if (!ConnectionProfiles.UNKNOWN.equals(client)) {
            context.setClient(client, profiles.profileOf(connection, null));
        }
    }

    @Override
    public void establishmentStarted(Connection connection) {
        Observation observation = Observation.createNotStarted(convention,
                DefaultEstablishmentObservationConvention.INSTANCE,
                () -> {
                    EstablishmentObservationContext context = new EstablishmentObservationContext(connection,
                            profiles.profileOf(connection, null));
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
        // A client learns its Connection when initiate() returns, which can be after Ready.
        nameClient(connection, context);
        result.failure().ifPresent(reason -> observation.error(new TransportServicesException(reason,
                "establishment failed: " + reason.rfcName())));
        observation.stop();
    }
}

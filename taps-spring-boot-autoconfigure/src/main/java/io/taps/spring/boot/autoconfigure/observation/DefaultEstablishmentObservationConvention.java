package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.common.KeyValues;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.EstablishmentResult;
import java.net.InetSocketAddress;

/**
 * The default establishment Observation: name {@code taps.connection.establish}; low-cardinality
 * {@code outcome} ({@code success}|{@code failure}|{@code unknown}), {@code taps.protocol.stack}
 * and {@code taps.attempts} (how many racing attempts were started), {@code taps.client} and
 * {@code taps.profile} (the {@code taps.clients} client that initiated it, else {@code none});
 * high-cardinality
 * {@code network.peer.address} and {@code network.peer.port} of the winner.
 */
public class DefaultEstablishmentObservationConvention implements EstablishmentObservationConvention {

    /** The {@code taps.clients} client that initiated the Connection, {@code none} otherwise. */
    public static final String CLIENT_KEY = "taps.client";

    /** The property profile of that client, {@code none} otherwise. */
    public static final String PROFILE_KEY = "taps.profile";

    public static final DefaultEstablishmentObservationConvention INSTANCE =
            new DefaultEstablishmentObservationConvention();

    @Override
    public String getName() {
        return "taps.connection.establish";
    }

    @Override
    public String getContextualName(EstablishmentObservationContext context) {
        return "taps establish";
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(EstablishmentObservationContext context) {
        EstablishmentResult result = context.getResult();
        KeyValues client = KeyValues.of(CLIENT_KEY, orNone(context.getClientName()), PROFILE_KEY,
                orNone(context.getProfile()));
        if (result == null) {
            return KeyValues.of("outcome", "unknown", "taps.protocol.stack", "none", "taps.attempts", "0").and(client);
        }
        return KeyValues.of("outcome", result.succeeded() ? "success" : "failure", "taps.protocol.stack",
                result.protocolStack().orElse("none"), "taps.attempts", Integer.toString(result.attemptCount()))
            .and(client);
    }

    private static String orNone(@org.jspecify.annotations.Nullable String value) {
        return value != null ? value : "none";
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(EstablishmentObservationContext context) {
        EstablishmentResult result = context.getResult();
        InetSocketAddress remote = result == null ? null
                : result.report().winner().map(EstablishmentReport.Candidate::remote).orElse(null);
        if (remote == null) {
            return KeyValues.empty();
        }
        return KeyValues.of("network.peer.address", remote.getHostString(), "network.peer.port",
                Integer.toString(remote.getPort()));
    }
}

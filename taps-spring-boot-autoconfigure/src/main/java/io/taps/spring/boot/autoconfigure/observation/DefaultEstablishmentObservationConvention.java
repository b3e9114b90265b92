package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.common.KeyValues;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.EstablishmentResult;
import io.taps.spring.boot.autoconfigure.metrics.TapsTagKeys;
import java.net.InetSocketAddress;

/**
 * The default establishment Observation: name {@code taps.connection.establish}, a client span;
 * low-cardinality {@code taps.outcome} ({@code success}|{@code failure}|{@code unknown}),
 * {@code taps.protocol.stack}, {@code taps.profile}, {@code taps.client} and {@code taps.attempts} (how many racing
 * attempts were started); high-cardinality {@code network.peer.address} and
 * {@code network.peer.port} of the winner (keys in docs/observability.md).
 */
public class DefaultEstablishmentObservationConvention implements EstablishmentObservationConvention {
    /** The {@code taps.clients.<name>} client that initiated the Connection, {@code none} otherwise. */
    private static final String CLIENT = io.taps.spring.boot.autoconfigure.metrics.TapsMeterObserver.CLIENT_TAG;

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
        if (result == null) {
            return KeyValues.of(TapsTagKeys.OUTCOME, "unknown", TapsTagKeys.PROTOCOL_STACK, TapsTagKeys.NONE,
                    TapsTagKeys.PROFILE, context.getProfile(), TapsTagKeys.ATTEMPTS, "0", CLIENT,
                    context.getClientName());
        }
        return KeyValues.of(TapsTagKeys.OUTCOME, result.succeeded() ? "success" : "failure",
                TapsTagKeys.PROTOCOL_STACK, result.protocolStack().orElse(TapsTagKeys.NONE), TapsTagKeys.PROFILE,
                context.getProfile(), TapsTagKeys.ATTEMPTS, Integer.toString(result.attemptCount()), CLIENT,
                context.getClientName());
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

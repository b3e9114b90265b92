package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.common.KeyValues;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.EstablishmentResult;
import java.net.InetSocketAddress;

/**
 * The default establishment Observation: name {@code taps.connection.establish}; low-cardinality
 * {@code outcome} ({@code success}|{@code failure}|{@code unknown}), {@code taps.protocol.stack}
 * and {@code taps.attempts} (how many racing attempts were started); high-cardinality
 * {@code network.peer.address} and {@code network.peer.port} of the winner.
 */
public class DefaultEstablishmentObservationConvention implements EstablishmentObservationConvention {

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
            return KeyValues.of("outcome", "unknown", "taps.protocol.stack", "none", "taps.attempts", "0");
        }
        return KeyValues.of("outcome", result.succeeded() ? "success" : "failure", "taps.protocol.stack",
                result.protocolStack().orElse("none"), "taps.attempts", Integer.toString(result.attemptCount()));
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

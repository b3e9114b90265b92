package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.observation.Observation;
import io.taps.Connection;
import io.taps.monitor.EstablishmentResult;
import org.jspecify.annotations.Nullable;

/**
 * What an establishment Observation knows: the Connection being initiated (RFC 9622 §7.1) and,
 * once it ended, the {@link EstablishmentResult} with the racing summary (RFC 9623 §4.3).
 */
public final class EstablishmentObservationContext extends Observation.Context {
    private final Connection connection;
    private @Nullable EstablishmentResult result;

    public EstablishmentObservationContext(Connection connection) {
        this.connection = connection;
    }

    public Connection getConnection() {
        return connection;
    }

    /** The outcome; null while the establishment is running. */
    public @Nullable EstablishmentResult getResult() {
        return result;
    }

    void setResult(EstablishmentResult result) {
        this.result = result;
    }
}

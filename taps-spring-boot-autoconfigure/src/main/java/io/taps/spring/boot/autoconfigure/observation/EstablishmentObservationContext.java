package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.observation.Observation;
import io.taps.Connection;
import io.taps.monitor.EstablishmentResult;
import org.jspecify.annotations.Nullable;

/**
 * What an establishment Observation knows: the Connection being initiated (RFC 9622 §7.1) and,
 * once it ended, the {@link EstablishmentResult} with the racing summary (RFC 9623 §4.3), and the
 * client and profile when a {@code taps.clients} client initiated it.
 */
public final class EstablishmentObservationContext extends Observation.Context {
    private final Connection connection;
    private @Nullable EstablishmentResult result;
    private @Nullable String clientName;
    private @Nullable String profile;

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

    /** The {@code taps.clients.<name>} client that initiated the Connection; null when no client did. */
    public @Nullable String getClientName() {
        return clientName;
    }

    /** The property profile of the client that initiated the Connection; null when not known. */
    public @Nullable String getProfile() {
        return profile;
    }

    void setClient(String clientName, String profile) {
        this.clientName = clientName;
        this.profile = profile;
    }
}

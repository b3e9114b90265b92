package io.taps.spring.boot.autoconfigure.observation;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.SenderContext;
import io.taps.Connection;
import io.taps.monitor.EstablishmentResult;
import io.taps.spring.boot.autoconfigure.metrics.TapsTagKeys;
import org.jspecify.annotations.Nullable;

/**
 * What an establishment Observation knows: the Connection being initiated (RFC 9622 §7.1), the
 * taps profile it was made from and, once it ended, the {@link EstablishmentResult} with the racing
 * summary (RFC 9623 §4.3). A {@link SenderContext} of kind {@link Kind#CLIENT}, as Micrometer's
 * conventions have it for the side that opens a connection, so a tracer makes a client span. The
 * carrier is the Connection; nothing is injected into it, since a TAPS Connection has no headers.
 * A Connection a {@code taps.clients} client initiated also names that client.
 */
public final class EstablishmentObservationContext extends SenderContext<Connection> {
    private final Connection connection;
    private String profile;
    private String clientName = TapsTagKeys.NONE;
    private @Nullable EstablishmentResult result;

    public EstablishmentObservationContext(Connection connection) {
        this(connection, TapsTagKeys.NONE);
    }

    /** @param profile the taps profile of {@code connection}, {@code none} when unknown */
    public EstablishmentObservationContext(Connection connection, String profile) {
        super((carrier, key, value) -> { }, Kind.CLIENT);
        this.connection = connection;
        this.profile = profile;
        setCarrier(connection);
    }

    public Connection getConnection() {
        return connection;
    }

    /** The taps profile ({@code taps.profiles.<name>}) it was made from; {@code none} when unknown. */
    public String getProfile() {
        return profile;
    }

    /** The {@code taps.clients.<name>} client that initiated it; {@code none} when no client did. */
    public String getClientName() {
        return clientName;
    }

    /** Names the client (and its profile) that initiated the Connection, once it is known. */
    void setClient(String clientName, String profile) {
        this.clientName = clientName;
        this.profile = profile;
    }

    /** The outcome; null while the establishment is running. */
    public @Nullable EstablishmentResult getResult() {
        return result;
    }

    void setResult(EstablishmentResult result) {
        this.result = result;
    }
}

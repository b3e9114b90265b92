package io.taps.spring.boot.autoconfigure.actuate;

import io.taps.Connection;
import io.taps.properties.ConnectionState;
import java.util.Arrays;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;

/**
 * The filters and limit of one taps endpoint request ({@code ?listener=}, {@code ?state=},
 * {@code ?limit=}); a value that cannot be understood is a 400 answer naming it, never ignored.
 *
 * @param listener the listener id accepted Connections must have, or null for any Connection
 * @param state    the state Connections must be in, or null for any
 * @param limit    how many matching Connections to list at most, at least 1
 */
record ConnectionQuery(@Nullable String listener, @Nullable ConnectionState state, int limit) {

    static ConnectionQuery of(@Nullable String listener, @Nullable String state, @Nullable Integer limit,
            int defaultLimit) {
        if (limit != null && limit < 1) {
            throw new InvalidEndpointRequestException("limit must be at least 1, not " + limit,
                    "limit must be at least 1");
        }
        return new ConnectionQuery(listener == null || listener.isBlank() ? null : listener, state(state),
                limit == null ? defaultLimit : limit);
    }

    private static @Nullable ConnectionState state(@Nullable String state) {
        if (state == null || state.isBlank()) {
            return null;
        }
        try {
            return ConnectionState.valueOf(state.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            String known = Arrays.toString(ConnectionState.values());
            throw new InvalidEndpointRequestException("unknown state '" + state + "', expected one of " + known,
                    "unknown state, expected one of " + known);
        }
    }

    /** @param listenerId the id of the Listener that accepted {@code connection}; null when initiated */
    boolean matches(Connection connection, @Nullable String listenerId) {
        return (listener == null || listener.equals(listenerId)) && (state == null || connection.state() == state);
    }
}

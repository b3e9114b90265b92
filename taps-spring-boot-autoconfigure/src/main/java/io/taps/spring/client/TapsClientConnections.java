package io.taps.spring.client;

import io.taps.Connection;
import io.taps.monitor.TransportObserver;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;

/**
 * Which {@link TapsClient} made a Connection, so meters, observations and the actuator can name
 * the client and its profile. Core Connections do not know who initiated them, and the
 * establishment may finish on an event loop before {@code initiate()} has returned; so a client
 * initiates inside {@link #initiating}, and this {@link TransportObserver} records the Connection at
 * {@code establishmentStarted}, which the core calls synchronously within Initiate (RFC 9622 §7.1)
 * and within Clone (§7.4), so a client's clones are recorded the same way.
 * Entries go with their Connection (weak keys).
 */
public final class TapsClientConnections implements TransportObserver, Ordered {
    private static final ThreadLocal<@Nullable ClientIdentity> INITIATING = new ThreadLocal<>();

    // Weak keys: an entry lives as long as its Connection is referenced (by the client, the meters,
    // the actuator), so no observer event order can make a lookup miss or leave an entry behind.
    private final Map<Connection, ClientIdentity> clients = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * The client and profile of a Connection.
     *
     * @param client the client's name
     * @param profile the name of the client's property profile
     */
    public record ClientIdentity(String client, String profile) {
    }

    /** Runs {@code initiate} so that the Connection it creates is recorded as {@code identity}'s. */
    <T> T initiating(ClientIdentity identity, Supplier<T> initiate) {
        INITIATING.set(identity);
        try {
            return initiate.get();
        }
        finally {
            INITIATING.remove();
        }
    }

    /** The client that made {@code connection}, if a {@link TapsClient} did. */
    public Optional<ClientIdentity> clientOf(Connection connection) {
        return Optional.ofNullable(this.clients.get(connection));
    }

    /** First among the observers, so the others find the client from {@code establishmentStarted} on. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public void establishmentStarted(Connection connection) {
        ClientIdentity identity = INITIATING.get();
        if (identity != null) {
            this.clients.put(connection, identity);
        }
    }
}

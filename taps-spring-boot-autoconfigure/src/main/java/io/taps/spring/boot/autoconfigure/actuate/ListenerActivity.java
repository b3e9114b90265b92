package io.taps.spring.boot.autoconfigure.actuate;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.monitor.TransportObserver;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Counts the Connections each Listener accepted and remembers which Listener accepted a
 * Connection, through the core {@link TransportObserver} hook (for the taps endpoint).
 */
public final class ListenerActivity implements TransportObserver {
    private final Map<Listener, LongAdder> accepted = Collections.synchronizedMap(new WeakHashMap<>());
    private final Map<Connection, Listener> acceptedBy = Collections.synchronizedMap(new WeakHashMap<>());

    @Override
    public void connectionReceived(Listener listener, Connection connection) {
        accepted.computeIfAbsent(listener, ignored -> new LongAdder()).increment();
        acceptedBy.put(connection, listener);
    }

    /** How many Connections {@code listener} delivered (ConnectionReceived, RFC 9622 §7.2). */
    public long acceptedCount(Listener listener) {
        LongAdder count = accepted.get(listener);
        return count == null ? 0 : count.sum();
    }

    /** The Listener that accepted {@code connection}; null for an initiated one. */
    public @Nullable Listener acceptedBy(Connection connection) {
        return acceptedBy.get(connection);
    }
}

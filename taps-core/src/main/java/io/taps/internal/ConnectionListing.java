package io.taps.internal;

import io.taps.Connection;
import io.taps.ConnectionGroup;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.group.TapsConnectionGroup;
import io.taps.properties.ConnectionState;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The engine's listings of its Connections and their groups (RFC 9622 §7.4), for TransportServices
 * and the actuator. A Connection alone in its group makes its group only when asked for (issue 21
 * item 4), so listing the live Connections does not make one for each of them; listing the groups does.
 */
final class ConnectionListing {
    private ConnectionListing() {
    }

    /** Every Connection not yet Closed: the members of the groups made so far, oldest group first, then the others. */
    static List<Connection> live(Set<TapsConnection> connections) {
        Map<Long, TapsConnectionGroup> groups = new TreeMap<>();
        List<Connection> alone = new ArrayList<>();
        for (TapsConnection connection : connections) {
            TapsConnectionGroup group = connection.groupIfMade();
            if (group != null) {
                groups.putIfAbsent(group.number(), group);
            } else if (connection.state() != ConnectionState.CLOSED) {
                alone.add(connection);
            }
        }
        Set<Connection> live = new LinkedHashSet<>();
        for (TapsConnectionGroup group : groups.values()) {
            live.addAll(group.connections());
        }
        live.addAll(alone);
        return new ArrayList<>(live);
    }

    /** Every group with a member not yet Closed, in the order the groups were made. */
    static List<ConnectionGroup> groups(Set<TapsConnection> connections) {
        Map<Long, TapsConnectionGroup> groups = new TreeMap<>();
        for (TapsConnection connection : connections) {
            TapsConnectionGroup group = connection.connectionGroup();
            if (!groups.containsKey(group.number()) && !group.connections().isEmpty()) {
                groups.put(group.number(), group);
            }
        }
        return List.copyOf(groups.values());
    }
}

package io.taps.internal;

import io.taps.Connection;
import io.taps.ConnectionGroup;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.group.TapsConnectionGroup;
import io.taps.properties.ConnectionState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The engine's listings of its Connections and their groups (RFC 9622 §7.4), for TransportServices
 * and the actuator. A Connection alone in its group makes its group only when asked for (issue 21
 * item 4); listing makes the groups not made yet, in the Connections' creation order.
 */
final class ConnectionListing {
    private ConnectionListing() {
    }

    /**
     * Every Connection not yet Closed, oldest first: in creation order, a Connection's group (its
     * members in their order) where the oldest tracked member of that group comes. It makes no
     * group: listing those without one after the others, as this class first did, put them in hash
     * order, so a Connection made later could be listed first (the demo's timeline test caught it).
     */
    static List<Connection> live(Collection<TapsConnection> connections) {
        Set<Connection> live = new LinkedHashSet<>();
        Set<TapsConnectionGroup> listed = new HashSet<>();
        for (TapsConnection connection : byAge(connections)) {
            TapsConnectionGroup group = connection.groupIfMade();
            if (group == null) {
                if (connection.state() != ConnectionState.CLOSED) {
                    live.add(connection);
                }
            } else if (listed.add(group)) {
                live.addAll(group.connections());
            }
        }
        return new ArrayList<>(live);
    }

    private static List<TapsConnection> byAge(Collection<TapsConnection> connections) {
        List<TapsConnection> byAge = new ArrayList<>(connections);
        byAge.sort(TapsConnection::compareCreation);
        return byAge;
    }

    /** Every group with a member not yet Closed, oldest first (by its oldest tracked member's creation). */
    static List<ConnectionGroup> groups(Collection<TapsConnection> connections) {
        // Groups are made when first asked for: made here in the Connections' creation order.
        Set<ConnectionGroup> groups = new LinkedHashSet<>();
        for (TapsConnection connection : byAge(connections)) {
            TapsConnectionGroup group = connection.connectionGroup();
            if (!group.connections().isEmpty()) {
                groups.add(group);
            }
        }
        return List.copyOf(groups);
    }
}

package io.taps.internal.path;

import io.taps.monitor.NetworkPath;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What changed between two snapshots of the local interfaces (RFC 9623 §7.2, M-58; design.md
 * interfaces that appeared or disappeared, went up or down, or gained or lost addresses. A
 * pure function of the two snapshots, so it is tested on hand-built ones.
 *
 * @param appeared interfaces only in the newer snapshot
 * @param disappeared interfaces only in the older snapshot
 * @param changed interfaces in both whose up state or address set differs
 * @param affectedAddresses every address, old or new, of an interface that appeared, disappeared or
 *     changed: a Connection whose local address is one of them is told PathChange
 */
public record PathChanges(Set<String> appeared, Set<String> disappeared, Set<String> changed,
        List<InetAddress> affectedAddresses) {

    public PathChanges {
        appeared = Set.copyOf(appeared);
        disappeared = Set.copyOf(disappeared);
        changed = Set.copyOf(changed);
        affectedAddresses = List.copyOf(affectedAddresses);
    }

    /** The differences from {@code before} to {@code after}, both keyed by interface name. */
    public static PathChanges between(Map<String, NetworkPath> before, Map<String, NetworkPath> after) {
        Set<String> appeared = new LinkedHashSet<>();
        Set<String> disappeared = new LinkedHashSet<>();
        Set<String> changed = new LinkedHashSet<>();
        List<InetAddress> affected = new ArrayList<>();
        for (Map.Entry<String, NetworkPath> entry : after.entrySet()) {
            NetworkPath old = before.get(entry.getKey());
            if (old == null) {
                appeared.add(entry.getKey());
                affected.addAll(entry.getValue().addresses());
            } else if (differs(old, entry.getValue())) {
                changed.add(entry.getKey());
                addAll(affected, old.addresses());
                addAll(affected, entry.getValue().addresses());
            }
        }
        for (Map.Entry<String, NetworkPath> entry : before.entrySet()) {
            if (!after.containsKey(entry.getKey())) {
                disappeared.add(entry.getKey());
                addAll(affected, entry.getValue().addresses());
            }
        }
        return new PathChanges(appeared, disappeared, changed, affected);
    }

    private static boolean differs(NetworkPath old, NetworkPath now) {
        return old.up() != now.up() || old.type() != now.type()
                || !new HashSet<>(old.addresses()).equals(new HashSet<>(now.addresses()));
    }

    private static void addAll(List<InetAddress> into, List<InetAddress> addresses) {
        for (InetAddress address : addresses) {
            if (!contains(into, address)) {
                into.add(address);
            }
        }
    }

    private static boolean contains(List<InetAddress> addresses, InetAddress address) {
        for (InetAddress known : addresses) {
            if (Arrays.equals(known.getAddress(), address.getAddress())) {
                return true;
            }
        }
        return false;
    }

    /** Whether nothing changed. */
    public boolean isEmpty() {
        return appeared.isEmpty() && disappeared.isEmpty() && changed.isEmpty();
    }

    /** Whether a Connection with local address {@code local} runs over a path that changed. */
    public boolean affects(InetAddress local) {
        Objects.requireNonNull(local, "local");
        return contains(affectedAddresses, local);
    }
}

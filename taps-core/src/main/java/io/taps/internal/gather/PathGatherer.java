package io.taps.internal.gather;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.NamedPreferences;
import io.taps.properties.Preference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The path level of the candidate tree (RFC 9623 §4.1.1; RFC 9622 §6.2.11 {@code interface}):
 * local addresses from the LocalEndpoints and the {@code interface} Selection Property. Without a
 * LocalEndpoint and without an interface preference there is one default path on which the OS
 * chooses the source address.
 *
 * <p>With interface preferences, every address of the candidate interfaces becomes a path:
 * Prohibit removes an interface's addresses, Require keeps only the required interfaces' (none
 * left is NoCandidates), and Prefer comes before no preference before Avoid. Link-local IPv6
 * addresses are left out (they reach only their own link). The {@code pvd} property cannot be
 * honoured: Linux offers no Provisioning Domain API to a JVM, so it prunes nothing (reported as a
 * note).
 */
public final class PathGatherer {
    /** Interface name to its addresses; {@link #system()} reads {@link NetworkInterface}. */
    public interface Interfaces {
        /** Every up interface and its addresses. */
        Map<String, List<InetAddress>> all();
    }

    private PathGatherer() {
    }

    /** The machine's interfaces. */
    public static Interfaces system() {
        return () -> {
            io.taps.internal.blocking.BlockingWork.check("enumerating network interfaces");
            Map<String, List<InetAddress>> out = new java.util.LinkedHashMap<>();
            try {
                for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    if (nif.isUp()) {
                        out.put(nif.getName(), Collections.list(nif.getInetAddresses()));
                    }
                }
            } catch (SocketException e) {
                throw new TransportServicesException(ErrorReason.NO_CANDIDATES,
                        "cannot list network interfaces: " + e.getMessage(), e);
            }
            return out;
        };
    }

    /**
     * The paths, best first.
     *
     * @param locals the resolved LocalEndpoints (empty: none given)
     * @param interfaces the {@code interface} Selection Property
     */
    public static List<LocalPath> paths(List<InetSocketAddress> locals, NamedPreferences interfaces,
            Interfaces system) {
        if (interfaces.isEmpty() || onlyIgnore(interfaces)) {
            if (locals.isEmpty()) {
                return List.of(LocalPath.DEFAULT);
            }
            List<LocalPath> out = new ArrayList<>();
            for (InetSocketAddress local : locals) {
                LocalPath path = toPath(local, null);
                if (!out.contains(path)) {
                    out.add(path);
                }
            }
            return out;
        }
        Map<String, List<InetAddress>> all = system.all();
        List<LocalPath> candidates = new ArrayList<>();
        if (locals.isEmpty()) {
            all.forEach((name, addresses) -> {
                for (InetAddress address : addresses) {
                    if (!address.isLinkLocalAddress()) {
                        candidates.add(new LocalPath(withoutScope(address), 0, name));
                    }
                }
            });
        } else {
            for (InetSocketAddress local : locals) {
                if (local.getAddress() == null || local.getAddress().isAnyLocalAddress()) {
                    all.forEach((name, addresses) -> {
                        for (InetAddress address : addresses) {
                            if (!address.isLinkLocalAddress()) {
                                candidates.add(new LocalPath(withoutScope(address), local.getPort(), name));
                            }
                        }
                    });
                } else {
                    candidates.add(toPath(local, interfaceOf(local.getAddress(), all)));
                }
            }
        }
        boolean anyRequired = interfaces.asMap().containsValue(Preference.REQUIRE);
        List<LocalPath> kept = new ArrayList<>();
        for (LocalPath path : candidates) {
            Preference p = path.interfaceName() == null ? Preference.NO_PREFERENCE
                    : interfaces.get(path.interfaceName()).orElse(Preference.NO_PREFERENCE);
            if (p == Preference.PROHIBIT || (anyRequired && p != Preference.REQUIRE)) {
                continue;
            }
            if (!kept.contains(path)) {
                kept.add(path);
            }
        }
        if (kept.isEmpty()) {
            throw new TransportServicesException(ErrorReason.NO_CANDIDATES,
                    "no local address satisfies the interface property " + interfaces + " (RFC 9622 §6.2.11); interfaces: "
                            + all.keySet());
        }
        kept.sort(Comparator.comparingInt(path -> {
            Preference p = path.interfaceName() == null ? Preference.NO_PREFERENCE
                    : interfaces.get(path.interfaceName()).orElse(Preference.NO_PREFERENCE);
            return p == Preference.PREFER ? 0 : p == Preference.AVOID ? 2 : 1;
        }));
        return kept;
    }

    private static boolean onlyIgnore(NamedPreferences interfaces) {
        for (Preference p : interfaces.asMap().values()) {
            if (p != Preference.NO_PREFERENCE) {
                return false;
            }
        }
        return true;
    }

    private static LocalPath toPath(InetSocketAddress local, String interfaceName) {
        InetAddress address = local.getAddress();
        if (address == null || address.isAnyLocalAddress()) {
            return new LocalPath(null, local.getPort(), null);
        }
        return new LocalPath(address, local.getPort(), interfaceName);
    }

    private static InetAddress withoutScope(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress());
        } catch (java.net.UnknownHostException e) {
            return address;
        }
    }

    private static String interfaceOf(InetAddress address, Map<String, List<InetAddress>> all) {
        for (Map.Entry<String, List<InetAddress>> entry : all.entrySet()) {
            for (InetAddress a : entry.getValue()) {
                if (java.util.Arrays.equals(a.getAddress(), address.getAddress())) {
                    return entry.getKey();
                }
            }
        }
        return null;
    }
}

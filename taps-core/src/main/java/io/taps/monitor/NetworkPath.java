package io.taps.monitor;

import io.taps.TransportServices;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One local network interface as a path (RFC 9623 §4.1.1 "Network Paths", RFC 9622 §8.3.2
 * PathChange; C-05, C-16, design.md Q-20): its name, inferred {@link InterfaceType}, whether it is
 * up, and its addresses. An immutable value; {@link TransportServices#paths()} lists the current
 * ones, as the path monitor last saw them.
 */
public final class NetworkPath {
    private final String name;
    private final InterfaceType type;
    private final boolean up;
    private final List<InetAddress> addresses;

    private NetworkPath(String name, InterfaceType type, boolean up, List<InetAddress> addresses) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.up = up;
        this.addresses = List.copyOf(addresses);
    }

    /** A path whose type is inferred from {@code name}. */
    public static NetworkPath of(String name, boolean up, List<InetAddress> addresses) {
        return new NetworkPath(name, InterfaceType.fromName(name), up, addresses);
    }

    /** A path with an explicit type. */
    public static NetworkPath of(String name, InterfaceType type, boolean up, List<InetAddress> addresses) {
        return new NetworkPath(name, type, up, addresses);
    }

    /** The interface name, for example {@code eth0}. */
    public String name() {
        return name;
    }

    public InterfaceType type() {
        return type;
    }

    /** Whether the interface is administratively and operationally up. */
    public boolean up() {
        return up;
    }

    /** The interface's addresses, in the order the system lists them. */
    public List<InetAddress> addresses() {
        return addresses;
    }

    /** Whether {@code address} is one of this path's addresses (scope ids ignored). */
    public boolean hasAddress(InetAddress address) {
        for (InetAddress own : addresses) {
            if (java.util.Arrays.equals(own.getAddress(), address.getAddress())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof NetworkPath other)) {
            return false;
        }
        return up == other.up && name.equals(other.name) && type == other.type && addresses.equals(other.addresses);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, up, addresses);
    }

    /** For example {@code eth0 (WIRED, up) [192.0.2.10, 2001:db8::10]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(" (").append(type).append(up ? ", up) [" : ", down) [");
        for (int i = 0; i < addresses.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(addresses.get(i).getHostAddress());
        }
        return sb.append(']').toString();
    }
}

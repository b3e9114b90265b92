package io.taps.internal.multicast;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.PreconnectionSpec;
import io.taps.properties.Direction;
import io.taps.properties.Property;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a multicast Listen joins (RFC 9622 §6.1.1, RFC 9623 §10.5; EP-04, EP-06, design.md Q-14):
 * the group and port, the source for source-specific multicast (SSM) or none for any-source
 * (ASM), and the interface to join on.
 *
 * <p>Both spellings of the source are accepted: the LocalEndpoint's
 * {@code withSingleSourceMulticastGroupIP(group, source)}, or (PyTAPS, EP-06) a RemoteEndpoint of
 * the Preconnection holding the source's IP address. Giving two different sources is an error.
 */
public record MulticastReceive(InetAddress group, InetAddress source, String interfaceName, int port) {

    /** True when any LocalEndpoint of {@code spec} names a multicast group. */
    public static boolean requested(PreconnectionSpec spec) {
        for (LocalEndpoint local : spec.locals()) {
            if (local.isMulticast()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads the multicast request of a Listen; a contradictory one fails with
     * {@link ErrorReason#INVALID_CONFIGURATION} (ERR-01).
     */
    public static MulticastReceive of(PreconnectionSpec spec) {
        if (spec.locals().size() != 1) {
            throw invalid("a multicast Listen takes exactly one LocalEndpoint (the group), got " + spec.locals());
        }
        if (spec.properties().get(Property.DIRECTION) == Direction.UNIDIRECTIONAL_SEND) {
            throw invalid("a multicast group as local endpoint only receives, but direction is unidirectional send"
                    + " (RFC 9622 §6.1.1, ERR-01)");
        }
        LocalEndpoint local = spec.locals().get(0);
        InetAddress group = local.multicastGroup().orElseThrow();
        InetAddress source = local.multicastSource().orElse(null);
        for (RemoteEndpoint remote : spec.remotes()) {
            InetAddress remoteSource = remote.ipAddress().orElseThrow(() -> invalid("the SSM source " + remote
                    + " must be an IP address: a multicast join names its source by address (EP-06)"));
            if (remoteSource.isMulticastAddress() || remoteSource.isAnyLocalAddress()) {
                throw invalid("the SSM source " + text(remoteSource)
                        + " must be a unicast address");
            }
            if (remoteSource.getAddress().length != group.getAddress().length) {
                throw invalid("multicast group " + text(group) + " and source "
                        + text(remoteSource) + " are of different address families");
            }
            if (source != null && !source.equals(remoteSource)) {
                throw invalid("two different SSM sources: " + text(source) + " and "
                        + text(remoteSource) + " (one join has one source)");
            }
            source = remoteSource;
        }
        return new MulticastReceive(group, source, local.interfaceName().orElse(null), local.effectivePort());
    }

    /** Whether only one source is received (SSM, RFC 4607). */
    public boolean sourceSpecific() {
        return source != null;
    }

    /** The address the socket binds: the group itself, so unicast datagrams to the port stay out. */
    public InetSocketAddress bindAddress() {
        return new InetSocketAddress(group, port);
    }

    /** Whether the group is IPv4. */
    public boolean ipv4() {
        return group instanceof Inet4Address;
    }

    /**
     * The interface to join on: the named one, else the first interface that is up, supports
     * multicast and has an address of the group's family, preferring one that is not loopback.
     * Fails with {@link ErrorReason#RESOLUTION_FAILED} when there is none.
     */
    public NetworkInterface resolveInterface() {
        io.taps.internal.blocking.BlockingWork.check("looking up a network interface");
        try {
            if (interfaceName != null) {
                NetworkInterface named = NetworkInterface.getByName(interfaceName);
                if (named == null) {
                    throw new TransportServicesException(ErrorReason.RESOLUTION_FAILED,
                            "cannot join " + text(group) + ": no interface " + interfaceName);
                }
                return named;
            }
            List<NetworkInterface> loopbacks = new ArrayList<>();
            for (NetworkInterface candidate : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!candidate.isUp() || !candidate.supportsMulticast() || !hasFamily(candidate)) {
                    continue;
                }
                if (!candidate.isLoopback()) {
                    return candidate;
                }
                loopbacks.add(candidate);
            }
            if (!loopbacks.isEmpty()) {
                return loopbacks.get(0);
            }
        } catch (SocketException e) {
            throw new TransportServicesException(ErrorReason.RESOLUTION_FAILED,
                    "cannot list interfaces to join " + text(group) + ": " + e, e);
        }
        throw new TransportServicesException(ErrorReason.RESOLUTION_FAILED, "cannot join "
                + text(group) + ": no interface is up and multicast-capable;"
                + " name one with LocalEndpoint.withInterface");
    }

    private boolean hasFamily(NetworkInterface candidate) {
        for (InetAddress address : Collections.list(candidate.getInetAddresses())) {
            if ((address instanceof Inet4Address) == ipv4()) {
                return true;
            }
        }
        return false;
    }

    static String text(InetAddress address) {
        return address.getHostAddress();
    }

    private static TransportServicesException invalid(String message) {
        return new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, message);
    }

    @Override
    public String toString() {
        return (source == null ? "ASM " : "SSM " + text(source) + " -> ")
                + text(group) + ":" + port + (interfaceName == null ? "" : " @" + interfaceName);
    }
}

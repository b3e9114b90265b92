package io.taps.endpoint;

import static io.taps.endpoint.EndpointSupport.invalid;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;

/**
 * The mutable identifier state behind both endpoint builders (RFC 9622 §6.1; A-02, O-02).
 *
 * <p>It remembers which identifier types were set through this builder so that a second
 * {@code WithIPAddress} (or any other second identifier of the same type) is refused, as O-02
 * requires one identifier of each type per endpoint. Values copied in by {@code toBuilder()} are
 * not marked, so a copy can replace them once: that is deriving a new endpoint, not adding a
 * second identifier to one.
 */
final class Identifiers {

    enum Kind {
        HOST_NAME("WithHostName"),
        PORT("WithPort"),
        SERVICE("WithService"),
        IP_ADDRESS("WithIPAddress"),
        INTERFACE("WithInterface"),
        MULTICAST_GROUP("WithAnySourceMulticastGroupIP/WithSingleSourceMulticastGroupIP"),
        HOP_LIMIT("WithHopLimit");

        final String action;

        Kind(String action) {
            this.action = action;
        }
    }

    String hostName;
    InetAddress ipAddress;
    Integer port;
    String service;
    String interfaceName;

    private final EnumSet<Kind> setHere = EnumSet.noneOf(Kind.class);

    void claim(Kind kind, Object current, Object attempted) {
        if (!setHere.add(kind)) {
            throw invalid("endpoint already has " + kind.action + "(" + current + "); a second "
                    + kind.action + "(" + attempted + ") is rejected, use another endpoint object"
                    + " for another identifier (RFC 9622 §6.1)");
        }
    }

    void hostName(String name) {
        Objects.requireNonNull(name, "hostName");
        // An IP literal given as a host name is an address: resolving it through DNS would be wrong.
        Optional<EndpointSupport.Literal> literal = EndpointSupport.parseLiteral(name);
        if (literal.isPresent()) {
            ipLiteral(literal.get(), name);
            return;
        }
        String checked = EndpointSupport.checkHostName(name);
        claim(Kind.HOST_NAME, hostName, name);
        hostName = checked;
    }

    void port(int value) {
        EndpointSupport.checkPort(value);
        claim(Kind.PORT, port, value);
        port = value;
    }

    void service(String value) {
        String checked = EndpointSupport.checkService(value);
        claim(Kind.SERVICE, service, value);
        service = checked;
    }

    void ipAddress(String literal) {
        ipLiteral(EndpointSupport.requireLiteral(literal), literal);
    }

    void ipAddress(InetAddress address) {
        Objects.requireNonNull(address, "ipAddress");
        claim(Kind.IP_ADDRESS, ipAddress == null ? null : EndpointSupport.formatAddress(ipAddress),
                EndpointSupport.formatAddress(address));
        String zone = null;
        if (address instanceof Inet6Address v6) {
            NetworkInterface scoped = v6.getScopedInterface();
            if (scoped != null) {
                zone = scoped.getName();
            }
        }
        ipAddress = address;
        if (zone != null) {
            zoneInterface(zone, address.toString());
        }
    }

    private void ipLiteral(EndpointSupport.Literal literal, String text) {
        claim(Kind.IP_ADDRESS, ipAddress == null ? null : EndpointSupport.formatAddress(ipAddress), text);
        ipAddress = literal.address();
        if (literal.zone() != null) {
            zoneInterface(literal.zone(), text);
        }
    }

    /** A scoped IPv6 literal is WithIPAddress plus WithInterface; agreeing twice is fine. */
    private void zoneInterface(String zone, String text) {
        EndpointSupport.checkInterfaceName(zone);
        if (setHere.contains(Kind.INTERFACE) && zone.equals(interfaceName)) {
            return;
        }
        claim(Kind.INTERFACE, interfaceName, zone + " (zone of " + text + ")");
        interfaceName = zone;
    }

    void interfaceName(String name) {
        String checked = EndpointSupport.checkInterfaceName(name);
        if (setHere.contains(Kind.INTERFACE) && checked.equals(interfaceName)) {
            return;
        }
        claim(Kind.INTERFACE, interfaceName, name);
        interfaceName = checked;
    }

    void copyFrom(String hostName, InetAddress ipAddress, Integer port, String service,
            String interfaceName) {
        this.hostName = hostName;
        this.ipAddress = ipAddress;
        this.port = port;
        this.service = service;
        this.interfaceName = interfaceName;
    }

    /** Unknown service names resolve to no port, so without an explicit port there is nothing to use. */
    void checkServiceResolvable() {
        if (service != null && port == null && EndpointSupport.servicePort(service).isEmpty()) {
            throw invalid("service '" + service + "' is not a known service name and no port is"
                    + " given; add WithPort or use a known service (" + "http, https, domain, ssh, ...)");
        }
    }
}

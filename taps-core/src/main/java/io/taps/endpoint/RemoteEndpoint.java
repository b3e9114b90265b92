package io.taps.endpoint;

import static io.taps.endpoint.EndpointSupport.invalid;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The identity of the peer to connect to: an immutable Remote Endpoint (RFC 9622 §6.1; checklist
 * C-11, O-02, A-02, A-03, EP-02, EP-03).
 *
 * <p>An endpoint holds at most one identifier of each type (host name, IP address, port, service,
 * interface, hop limit); O-02 asks for a second endpoint object rather than a second identifier,
 * so the builder rejects a repeated {@code with...} call with
 * {@link io.taps.ErrorReason#INVALID_CONFIGURATION}. Host names stay unresolved here: C-11 says
 * resolution happens late, at {@code Initiate}, {@code Listen} or {@code Rendezvous}, so building
 * an endpoint never touches the network.
 *
 * <p>A remote endpoint needs a host name or an IP address. An explicit port must be 1..65535
 * because nothing can be sent to port 0; a port may be left out at build time and be supplied by a
 * known service name ({@link #effectivePort()}). An interface names the scope zone for a
 * link-local address (EP-02); a scoped literal such as {@code fe80::1%eth0} sets both. A
 * multicast IP address makes the endpoint a multicast send target (A-03, EP-03), optionally with a
 * hop limit.
 */
public final class RemoteEndpoint {

    private final String hostName;
    private final InetAddress ipAddress;
    private final Integer port;
    private final String service;
    private final String interfaceName;
    private final Integer hopLimit;

    private RemoteEndpoint(Builder b) {
        this.hostName = b.ids.hostName;
        this.ipAddress = b.ids.ipAddress;
        this.port = b.ids.port;
        this.service = b.ids.service;
        this.interfaceName = b.ids.interfaceName;
        this.hopLimit = b.hopLimit;
    }

    /** A remote endpoint for a host name (resolved late, C-11) and port. */
    public static RemoteEndpoint ofHost(String hostName, int port) {
        return builder().withHostName(hostName).withPort(port).build();
    }

    /** A remote endpoint for an IP address and port; no resolution ever happens for it. */
    public static RemoteEndpoint ofAddress(InetAddress address, int port) {
        return builder().withIpAddress(address).withPort(port).build();
    }

    /**
     * A remote endpoint for an IP address literal (IPv4, IPv6, optionally bracketed or scoped as in
     * {@code fe80::1%eth0}) and port. A host name is refused rather than resolved, so this factory
     * never waits on DNS.
     */
    public static RemoteEndpoint ofAddress(String ipLiteral, int port) {
        return builder().withIpAddress(ipLiteral).withPort(port).build();
    }

    /**
     * A remote endpoint from a socket address: an unresolved one keeps its host name for late
     * resolution, a resolved one keeps only its address (its cached host name is not an identifier
     * the application chose).
     */
    public static RemoteEndpoint of(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        Builder b = builder().withPort(address.getPort());
        if (address.isUnresolved()) {
            b.withHostName(address.getHostString());
        } else {
            b.withIpAddress(address.getAddress());
        }
        return b.build();
    }

    /** A builder with no identifiers set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder preloaded with this endpoint's identifiers; each may be replaced once. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.ids.copyFrom(hostName, ipAddress, port, service, interfaceName);
        b.hopLimit = hopLimit;
        return b;
    }

    public Optional<String> hostName() {
        return Optional.ofNullable(hostName);
    }

    public Optional<InetAddress> ipAddress() {
        return Optional.ofNullable(ipAddress);
    }

    public OptionalInt port() {
        return port == null ? OptionalInt.empty() : OptionalInt.of(port);
    }

    public Optional<String> service() {
        return Optional.ofNullable(service);
    }

    public Optional<String> interfaceName() {
        return Optional.ofNullable(interfaceName);
    }

    /** The hop limit for multicast or unicast sends (IPv4 TTL or IPv6 hop count; A-03). */
    public Optional<Integer> hopLimit() {
        return Optional.ofNullable(hopLimit);
    }

    /** Whether an explicit port was given (a service alone does not count). */
    public boolean hasPort() {
        return port != null;
    }

    /**
     * The port to connect to: the explicit port, else the well-known port of the service (a
     * numeric service is taken as the port), else 0 meaning "not known yet".
     */
    public int effectivePort() {
        return EndpointSupport.effectivePort(port, service);
    }

    /** Whether the IP address is a multicast group, which makes a connection send-only (EP-03). */
    public boolean isMulticast() {
        return ipAddress != null && ipAddress.isMulticastAddress();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RemoteEndpoint other)) {
            return false;
        }
        return Objects.equals(hostName, other.hostName) && Objects.equals(ipAddress, other.ipAddress)
                && Objects.equals(port, other.port) && Objects.equals(service, other.service)
                && Objects.equals(interfaceName, other.interfaceName)
                && Objects.equals(hopLimit, other.hopLimit);
    }

    @Override
    public int hashCode() {
        return Objects.hash(hostName, ipAddress, port, service, interfaceName, hopLimit);
    }

    /** For example {@code example.com:443}, {@code [::1]:7000} or {@code 127.0.0.1:80 @eth0}. */
    @Override
    public String toString() {
        String base = EndpointSupport.describe(hostName, ipAddress, port, service, interfaceName);
        return hopLimit == null ? base : base + " hopLimit=" + hopLimit;
    }

    /**
     * Builds a {@link RemoteEndpoint} (RFC 9622 §6.1 {@code NewRemoteEndpoint} and its
     * {@code With...} calls; ). Each identifier type may be set once; values are checked
     * as they are set and the whole endpoint once more at {@link #build()}. Not thread-safe.
     */
    public static final class Builder {
        private final Identifiers ids = new Identifiers();
        private Integer hopLimit;
        private boolean hopLimitSet;

        private Builder() {
        }

        /** A DNS name; an IP literal given here is taken as {@link #withIpAddress(String)}. */
        public Builder withHostName(String hostName) {
            ids.hostName(hostName);
            return this;
        }

        /** The remote port, 1..65535 (0 passes here but is refused at {@link #build()}). */
        public Builder withPort(int port) {
            ids.port(port);
            return this;
        }

        /** An IANA service name such as {@code https}, or a port number as a string. */
        public Builder withService(String service) {
            ids.service(service);
            return this;
        }

        public Builder withIpAddress(InetAddress address) {
            ids.ipAddress(address);
            return this;
        }

        /** An IP literal; a scoped IPv6 literal ({@code fe80::1%eth0}) also sets the interface. */
        public Builder withIpAddress(String ipLiteral) {
            ids.ipAddress(ipLiteral);
            return this;
        }

        /** The multicast group to send to (RFC 9622 §6.1.1 {@code WithMulticastGroupIP}; A-03). */
        public Builder withMulticastGroupIP(InetAddress group) {
            Objects.requireNonNull(group, "group");
            if (!group.isMulticastAddress()) {
                throw invalid(EndpointSupport.formatAddress(group) + " is not a multicast address");
            }
            ids.ipAddress(group);
            return this;
        }

        /** The interface, which sets the scope zone of a link-local address (EP-02). */
        public Builder withInterface(String interfaceName) {
            ids.interfaceName(interfaceName);
            return this;
        }

        /** IPv4 TTL or IPv6 hop count for packets sent to this endpoint, 1..255. */
        public Builder withHopLimit(int hopLimit) {
            if (hopLimit < 1 || hopLimit > 255) {
                throw invalid("hop limit " + hopLimit + " is outside 1..255");
            }
            if (hopLimitSet) {
                throw invalid("endpoint already has WithHopLimit(" + this.hopLimit
                        + "); a second WithHopLimit(" + hopLimit + ") is rejected");
            }
            hopLimitSet = true;
            this.hopLimit = hopLimit;
            return this;
        }

        /**
         * Checks the endpoint as a whole and returns it.
         *
         * @throws io.taps.TransportServicesException with
         *     {@link io.taps.ErrorReason#INVALID_CONFIGURATION} when there is neither a host name nor
         *     an IP address, when the port is 0, or when a service name is unknown and no port is
         *     given
         */
        public RemoteEndpoint build() {
            if (ids.hostName == null && ids.ipAddress == null) {
                throw invalid("a remote endpoint needs a host name or an IP address (RFC 9622 §6.1)");
            }
            if (ids.port != null && ids.port == 0) {
                throw invalid("remote port 0 is not a port anything can be sent to; use 1..65535");
            }
            ids.checkServiceResolvable();
            if (ids.service != null && ids.port == null && EndpointSupport.effectivePort(null, ids.service) == 0) {
                throw invalid("service '" + ids.service + "' stands for port 0, which a remote"
                        + " endpoint cannot use");
            }
            return new RemoteEndpoint(this);
        }
    }
}

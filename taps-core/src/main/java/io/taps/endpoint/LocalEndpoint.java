package io.taps.endpoint;

import static io.taps.endpoint.EndpointSupport.invalid;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where a connection or listener is bound on this host: an immutable Local Endpoint (RFC 9622
 * §6.1; checklist C-11, O-02, A-02, A-03, EP-01, EP-02, EP-04, EP-06).
 *
 * <p>Every identifier is optional. With no port, or port 0, the system picks an ephemeral port
 * (EP-01); with no address the endpoint binds the wildcard address; an interface binds every
 * derived candidate to that interface (EP-02). As for {@link RemoteEndpoint}, each identifier type
 * may be set once (O-02) and nothing is resolved while building (C-11).
 *
 * <p>Multicast receivers name the group either with the RFC 9622 §6.1.1 specifiers
 * ({@link Builder#withAnySourceMulticastGroupIP}, {@link Builder#withSingleSourceMulticastGroupIP})
 * or, in the PyTAPS style (EP-06), by giving the group as the IP address; {@link #multicastGroup()}
 * answers for both spellings.
 */
public final class LocalEndpoint {

    private static final LocalEndpoint ANY = builder().build();

    private final String hostName;
    private final InetAddress ipAddress;
    private final Integer port;
    private final String service;
    private final String interfaceName;
    private final InetAddress multicastGroup;
    private final InetAddress multicastSource;
    private final InetSocketAddress stunServer;

    private LocalEndpoint(Builder b) {
        this.hostName = b.ids.hostName;
        this.ipAddress = b.ids.ipAddress;
        this.port = b.ids.port;
        this.service = b.ids.service;
        this.interfaceName = b.ids.interfaceName;
        this.multicastGroup = b.group;
        this.multicastSource = b.source;
        this.stunServer = b.stunServer;
    }

    /** A local endpoint on every address with the given port; 0 asks for an ephemeral port (EP-01). */
    public static LocalEndpoint ofPort(int port) {
        return builder().withPort(port).build();
    }

    public static LocalEndpoint ofAddress(InetAddress address, int port) {
        return builder().withIpAddress(address).withPort(port).build();
    }

    /** A local endpoint for an IP literal and port; a host name is refused, never resolved. */
    public static LocalEndpoint ofAddress(String ipLiteral, int port) {
        return builder().withIpAddress(ipLiteral).withPort(port).build();
    }

    /** The endpoint without identifiers: wildcard address, ephemeral port (EP-01). */
    public static LocalEndpoint any() {
        return ANY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder preloaded with this endpoint's identifiers; each may be replaced once. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.ids.copyFrom(hostName, ipAddress, port, service, interfaceName);
        b.group = multicastGroup;
        b.source = multicastSource;
        b.stunServer = stunServer;
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

    /** Whether an explicit port (including 0) was given. */
    public boolean hasPort() {
        return port != null;
    }

    /** The explicit port, else the well-known port of the service, else 0 (ephemeral, EP-01). */
    public int effectivePort() {
        return EndpointSupport.effectivePort(port, service);
    }

    /**
     * The multicast group to join: the one given with a multicast specifier, else the IP address
     * when that is a multicast address (EP-06 spelling).
     */
    public Optional<InetAddress> multicastGroup() {
        if (multicastGroup != null) {
            return Optional.of(multicastGroup);
        }
        return ipAddress != null && ipAddress.isMulticastAddress() ? Optional.of(ipAddress) : Optional.empty();
    }

    /** The source of a source-specific (SSM) group; empty for any-source (ASM) or unicast. */
    public Optional<InetAddress> multicastSource() {
        return Optional.ofNullable(multicastSource);
    }

    /**
     * The STUN server that discovers this endpoint's server-reflexive address for a Rendezvous (RFC
     * 9622 §6.1.5 {@code WithStunServer}, §7.3; RFC 8489 Binding): unresolved when given by name.
     */
    public Optional<InetSocketAddress> stunServer() {
        return Optional.ofNullable(stunServer);
    }

    /** Whether this endpoint receives from a multicast group (EP-04). */
    public boolean isMulticast() {
        return multicastGroup().isPresent();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LocalEndpoint other)) {
            return false;
        }
        return Objects.equals(hostName, other.hostName) && Objects.equals(ipAddress, other.ipAddress)
                && Objects.equals(port, other.port) && Objects.equals(service, other.service)
                && Objects.equals(interfaceName, other.interfaceName)
                && Objects.equals(multicastGroup, other.multicastGroup)
                && Objects.equals(multicastSource, other.multicastSource)
                && Objects.equals(stunServer, other.stunServer);
    }

    @Override
    public int hashCode() {
        return Objects.hash(hostName, ipAddress, port, service, interfaceName, multicastGroup,
                multicastSource, stunServer);
    }

    /** For example {@code *:7000}, {@code 127.0.0.1:0 @lo} or {@code *:5000 group=[ff02::1]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(
                EndpointSupport.describe(hostName, ipAddress, port, service, interfaceName));
        if (multicastGroup != null) {
            sb.append(" group=").append(EndpointSupport.formatAddress(multicastGroup));
        }
        if (multicastSource != null) {
            sb.append(" source=").append(EndpointSupport.formatAddress(multicastSource));
        }
        if (stunServer != null) {
            sb.append(" stun=").append(stunServer.getHostString()).append(':').append(stunServer.getPort());
        }
        return sb.toString();
    }

    /**
     * Builds a {@link LocalEndpoint} (RFC 9622 §6.1 {@code NewLocalEndpoint}, §6.1.1 multicast
     * specifiers; ). Each identifier type may be set once. Not thread-safe.
     */
    public static final class Builder {
        private final Identifiers ids = new Identifiers();
        private InetAddress group;
        private InetAddress source;
        private InetSocketAddress stunServer;

        private Builder() {
        }

        /**
         * The STUN server (RFC 8489) a Rendezvous asks for this endpoint's server-reflexive address
         * (RFC 9622 §6.1.5 {@code WithStunServer(address, port, credentials)}, §7.3): the address
         * the NAT in front of this host maps the endpoint to, which {@code Preconnection.resolve()}
         * returns next to the host addresses. taps sends plain Binding requests, which STUN servers
         * answer without credentials (RFC 8489 §9); a server that asks for a long-term credential
         * is not supported. Given once; {@code host} is resolved when the Preconnection is.
         */
        public Builder withStunServer(String host, int port) {
            if (stunServer != null) {
                throw invalid("endpoint already has WithStunServer(" + stunServer.getHostString() + ":"
                        + stunServer.getPort() + ")");
            }
            if (port < 1 || port > 65535) {
                throw invalid("STUN server port " + port + " is outside 1..65535");
            }
            this.stunServer = InetSocketAddress.createUnresolved(Objects.requireNonNull(host, "host"), port);
            return this;
        }

        /** {@link #withStunServer(String, int)} for an IP address. */
        public Builder withStunServer(InetAddress address, int port) {
            return withStunServer(address.getHostAddress(), port);
        }

        /** A local name, resolved at Listen time; an IP literal given here becomes the address. */
        public Builder withHostName(String hostName) {
            ids.hostName(hostName);
            return this;
        }

        /** The local port, 0..65535; 0 means ephemeral (EP-01). */
        public Builder withPort(int port) {
            ids.port(port);
            return this;
        }

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

        /** The interface that every candidate derived from this endpoint is bound to (EP-02). */
        public Builder withInterface(String interfaceName) {
            ids.interfaceName(interfaceName);
            return this;
        }

        /** Receive from any source sending to {@code group} (ASM; RFC 9622 §6.1.1, A-03). */
        public Builder withAnySourceMulticastGroupIP(InetAddress group) {
            Objects.requireNonNull(group, "group");
            checkGroup(group);
            ids.claim(Identifiers.Kind.MULTICAST_GROUP, describeGroup(), EndpointSupport.formatAddress(group));
            this.group = group;
            this.source = null;
            return this;
        }

        /**
         * Receive only what {@code source} sends to {@code group} (SSM; RFC 9622 §6.1.1, A-03).
         * The source must be a unicast address of the group's family, since a join cannot mix an
         * IPv4 group with an IPv6 source.
         */
        public Builder withSingleSourceMulticastGroupIP(InetAddress group, InetAddress source) {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(source, "source");
            checkGroup(group);
            if (source.isMulticastAddress() || source.isAnyLocalAddress()) {
                throw invalid("multicast source " + EndpointSupport.formatAddress(source)
                        + " must be a unicast address");
            }
            if (group.getAddress().length != source.getAddress().length) {
                throw invalid("multicast group " + EndpointSupport.formatAddress(group) + " and source "
                        + EndpointSupport.formatAddress(source) + " are of different address families");
            }
            ids.claim(Identifiers.Kind.MULTICAST_GROUP, describeGroup(),
                    EndpointSupport.formatAddress(group) + ", " + EndpointSupport.formatAddress(source));
            this.group = group;
            this.source = source;
            return this;
        }

        private static void checkGroup(InetAddress group) {
            if (!group.isMulticastAddress()) {
                throw invalid(EndpointSupport.formatAddress(group) + " is not a multicast group address");
            }
        }

        private String describeGroup() {
            if (group == null) {
                return null;
            }
            return source == null ? EndpointSupport.formatAddress(group)
                    : EndpointSupport.formatAddress(group) + ", " + EndpointSupport.formatAddress(source);
        }

        /**
         * Checks the endpoint as a whole and returns it.
         *
         * @throws io.taps.TransportServicesException with
         *     {@link io.taps.ErrorReason#INVALID_CONFIGURATION} when a service name is unknown and no
         *     port is given
         */
        public LocalEndpoint build() {
            ids.checkServiceResolvable();
            return new LocalEndpoint(this);
        }
    }
}

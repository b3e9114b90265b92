package io.taps.internal.resolve;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link EndpointResolver} turns endpoint identifiers into addresses (RFC 9622 §6.1, C-11:
 * endpoints are resolved late; RFC 9623 §4.2 candidate gathering; checklist M-75: at most 16
 * addresses per host name by default). Immutable.
 *
 * <p>An empty {@link #nameServers()} means the platform's configured servers. An empty
 * {@link #hostsFile()} means the platform's hosts file; an empty {@link #searchDomains()} means the
 * platform's search domains. Tests pin all three so that nothing reaches the machine's real DNS
 * server.
 */
public final class ResolverConfig {

    private static final ResolverConfig DEFAULTS = builder().build();

    private final List<InetSocketAddress> nameServers;
    private final boolean useHostsFile;
    private final Duration queryTimeout;
    private final int maxAddressesPerHost;
    private final Path hostsFile;
    private final List<String> searchDomains;
    private final Path resolvConf;

    private ResolverConfig(Builder b) {
        this.resolvConf = b.resolvConf;
        this.nameServers = List.copyOf(b.nameServers);
        this.useHostsFile = b.useHostsFile;
        this.queryTimeout = b.queryTimeout;
        this.maxAddressesPerHost = b.maxAddressesPerHost;
        this.hostsFile = b.hostsFile;
        this.searchDomains = b.searchDomains == null ? null : List.copyOf(b.searchDomains);
    }

    /** Platform name servers, the system hosts file, 2 s query timeout, 16 addresses per host. */
    public static ResolverConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.nameServers.addAll(nameServers);
        b.useHostsFile = useHostsFile;
        b.queryTimeout = queryTimeout;
        b.maxAddressesPerHost = maxAddressesPerHost;
        b.hostsFile = hostsFile;
        b.searchDomains = searchDomains;
        b.resolvConf = resolvConf;
        return b;
    }

    /** The DNS servers to ask, in order; empty means the platform's configured servers. */
    public List<InetSocketAddress> nameServers() {
        return nameServers;
    }

    /** Whether names are looked up in the hosts file before DNS (default true). */
    public boolean useHostsFile() {
        return useHostsFile;
    }

    /** How long one DNS query may take before its address family counts as failed (default 2 s). */
    public Duration queryTimeout() {
        return queryTimeout;
    }

    /** The most addresses kept per host name, after family interleaving (default 16; M-75). */
    public int maxAddressesPerHost() {
        return maxAddressesPerHost;
    }

    /** The hosts file to read; empty means the platform's ({@code /etc/hosts} on Unix). */
    public Optional<Path> hostsFile() {
        return Optional.ofNullable(hostsFile);
    }

    /**
     * Where the platform's name servers are read when {@link #nameServers()} is empty; empty means
     * {@code /etc/resolv.conf}. When that file names no server, names outside the hosts file fail
     * with ResolutionFailed: taps never falls back to public DNS servers nobody configured.
     */
    public Optional<Path> resolvConf() {
        return Optional.ofNullable(resolvConf);
    }

    /** Search domains for unqualified names; empty means the platform's (resolv.conf). */
    public Optional<List<String>> searchDomains() {
        return Optional.ofNullable(searchDomains);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResolverConfig c && nameServers.equals(c.nameServers)
                && useHostsFile == c.useHostsFile && queryTimeout.equals(c.queryTimeout)
                && maxAddressesPerHost == c.maxAddressesPerHost && Objects.equals(hostsFile, c.hostsFile)
                && Objects.equals(searchDomains, c.searchDomains) && Objects.equals(resolvConf, c.resolvConf);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nameServers, useHostsFile, queryTimeout, maxAddressesPerHost, hostsFile,
                searchDomains, resolvConf);
    }

    @Override
    public String toString() {
        return "ResolverConfig{nameServers=" + (nameServers.isEmpty() ? "platform" : nameServers)
                + ", useHostsFile=" + useHostsFile + ", hostsFile=" + (hostsFile == null ? "platform" : hostsFile)
                + ", queryTimeout=" + queryTimeout + ", maxAddressesPerHost=" + maxAddressesPerHost
                + ", searchDomains=" + (searchDomains == null ? "platform" : searchDomains) + '}';
    }

    /**
     * Builds a {@link ResolverConfig} (RFC 9622 §6.1 late resolution, C-11, M-75); values are checked
     * as they are set. Not thread-safe.
     */
    public static final class Builder {
        private final List<InetSocketAddress> nameServers = new ArrayList<>();
        private boolean useHostsFile = true;
        private Duration queryTimeout = Duration.ofSeconds(2);
        private int maxAddressesPerHost = 16;
        private Path hostsFile;
        private List<String> searchDomains;
        private Path resolvConf;

        private Builder() {
        }

        /** Replaces the name servers; an empty list means the platform's. */
        public Builder nameServers(List<InetSocketAddress> servers) {
            Objects.requireNonNull(servers, "servers");
            nameServers.clear();
            servers.forEach(this::nameServer);
            return this;
        }

        /** Adds one name server. It must be a resolved address: a name server named by name cannot be found. */
        public Builder nameServer(InetSocketAddress server) {
            Objects.requireNonNull(server, "server");
            if (server.isUnresolved()) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                        "name server " + server + " must be an IP address, not a name");
            }
            nameServers.add(server);
            return this;
        }

        public Builder useHostsFile(boolean use) {
            this.useHostsFile = use;
            return this;
        }

        public Builder queryTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                        "query timeout " + timeout + " must be positive");
            }
            this.queryTimeout = timeout;
            return this;
        }

        public Builder maxAddressesPerHost(int max) {
            if (max < 1) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                        "maxAddressesPerHost " + max + " must be at least 1");
            }
            this.maxAddressesPerHost = max;
            return this;
        }

        /** The hosts file to read instead of the platform's; {@code null} restores the platform's. */
        public Builder hostsFile(Path file) {
            this.hostsFile = file;
            return this;
        }

        /** The resolv.conf to read name servers from when none are given; {@code null} means /etc/resolv.conf. */
        public Builder resolvConf(Path file) {
            this.resolvConf = file;
            return this;
        }

        /** Search domains for unqualified names; {@code null} restores the platform's. */
        public Builder searchDomains(List<String> domains) {
            this.searchDomains = domains == null ? null : List.copyOf(domains);
            return this;
        }

        public ResolverConfig build() {
            return new ResolverConfig(this);
        }
    }
}

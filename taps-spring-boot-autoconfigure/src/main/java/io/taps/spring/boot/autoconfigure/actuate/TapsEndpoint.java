package io.taps.spring.boot.autoconfigure.actuate;

import io.taps.monitor.CachedState;
import io.taps.Connection;
import io.taps.ConnectionGroup;
import io.taps.monitor.EstablishmentReport;
import io.taps.Listener;
import io.taps.monitor.NetworkPath;
import io.taps.monitor.PathStatistics;
import io.taps.monitor.TransferReport;
import io.taps.TransportServices;
import io.taps.properties.ConnectionProperties;
import io.taps.properties.Property;
import io.taps.properties.PropertyKind;
import io.taps.spring.client.TapsClientConnections;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/taps}: the Transport Services system, its declared Listeners, its live
 * Connections with their establishment and transfer reports (RFC 9622 §7, RFC 9623 §4), its
 * Connection Groups (RFC 9622 §7.4), its cached state (RFC 9623 §9) and its local paths
 * (RFC 9623 §4.1.1); {@code /actuator/taps/{id}} for one Connection. Only names, states, addresses,
 * counts and timings are shown: never keys, passwords, certificates, cached sessions or other
 * security parameters.
 *
 * <p>Each section of {@link TapsDescriptor} is built by its own method here.
 */
@Endpoint(id = "taps")
public class TapsEndpoint {
    private final TransportServices services;
    private final ListenerDirectory directory;
    private final ListenerActivity activity;
    private final ObjectIds<Connection> connectionIds = new ObjectIds<>("c");

    private final @Nullable TapsClientConnections clients;

    public TapsEndpoint(TransportServices services, ListenerDirectory directory, ListenerActivity activity) {
        this(services, directory, activity, null);
    }

    /** An endpoint that names the client and profile of the Connections {@code clients} knows. */
    public TapsEndpoint(TransportServices services, ListenerDirectory directory, ListenerActivity activity,
            @Nullable TapsClientConnections clients) {
        this.services = services;
        this.directory = directory;
        this.activity = activity;
        this.clients = clients;
    }

    @ReadOperation
    public TapsDescriptor taps() {
        List<ListenerDirectory.DeclaredListener> declared = directory.declaredListeners();
        return new TapsDescriptor(system(), listeners(declared), connections(declared), groups(declared), cache(),
                paths());
    }

    /** One Connection by its id; 404 when it is unknown or Closed. */
    @ReadOperation
    public @Nullable ConnectionDescriptor connection(@Selector String id) {
        List<ListenerDirectory.DeclaredListener> declared = directory.declaredListeners();
        for (ConnectionDescriptor connection : connections(declared)) {
            if (connection.id().equals(id)) {
                return connection;
            }
        }
        return null;
    }

    private TapsDescriptor.SystemDescriptor system() {
        return new TapsDescriptor.SystemDescriptor(services.ioTransport(), services.tlsProvider());
    }

    private List<ListenerDescriptor> listeners(List<ListenerDirectory.DeclaredListener> declared) {
        List<ListenerDescriptor> all = new ArrayList<>();
        for (ListenerDirectory.DeclaredListener entry : declared) {
            Listener listener = entry.listener();
            String state = ListenerStates.stateOf(entry);
            List<String> addresses = new ArrayList<>();
            if (listener != null && state.equals(ListenerStates.BOUND)) {
                for (InetSocketAddress address : listener.localAddresses()) {
                    addresses.add(format(address));
                }
            }
            all.add(new ListenerDescriptor(entry.id(), entry.profile(), state,
                    listener == null ? null : listener.protocolStack(), addresses,
                    listener == null || !state.equals(ListenerStates.BOUND) ? -1 : listener.port(),
                    listener == null ? 0 : activity.acceptedCount(listener), ListenerStates.errorOf(entry)));
        }
        return all;
    }

    private List<ConnectionDescriptor> connections(List<ListenerDirectory.DeclaredListener> declared) {
        List<ConnectionDescriptor> all = new ArrayList<>();
        for (Connection connection : services.connections()) {
            all.add(describe(connection, declared));
        }
        all.sort(ObjectIds.byNumber(ConnectionDescriptor::id));
        return all;
    }

    private ConnectionDescriptor describe(Connection connection, List<ListenerDirectory.DeclaredListener> declared) {
        Listener acceptedBy = activity.acceptedBy(connection);
        TapsClientConnections.ClientIdentity client = acceptedBy != null || clients == null ? null
                : clients.clientOf(connection).orElse(null);
        String listenerId = null;
        if (acceptedBy != null) {
            for (ListenerDirectory.DeclaredListener entry : declared) {
                if (entry.listener() == acceptedBy) {
                    listenerId = entry.id();
                }
            }
        }
        return new ConnectionDescriptor(connectionIds.idOf(connection), connection.state().name(),
                acceptedBy == null ? "initiate" : "listen", listenerId, connection.protocolStack().orElse(null),
                connection.localEndpoint().map(Object::toString).orElse(null),
                connection.remoteEndpoint().map(Object::toString).orElse(null),
                connection.negotiatedApplicationProtocol().orElse(null),
                establishment(connection.establishmentReport()), transfer(connection.transferReport()),
                multipath(connection), client == null ? null : client.client(),
                client == null ? null : client.profile());
    }

    private static ConnectionDescriptor.MultipathDescriptor multipath(Connection connection) {
        if (connection.protocolStack().isEmpty()) {
            return null;
        }
        io.taps.properties.ConnectionProperties properties = connection.getProperties();
        return new ConnectionDescriptor.MultipathDescriptor(
                String.valueOf(properties.get(io.taps.properties.Property.MULTIPATH)),
                properties.has(io.taps.properties.Property.ADVERTISES_ALTADDR),
                String.valueOf(properties.get(io.taps.properties.Property.MULTIPATH_POLICY)));
    }

    private List<GroupDescriptor> groups(List<ListenerDirectory.DeclaredListener> declared) {
        List<GroupDescriptor> all = new ArrayList<>();
        for (ConnectionGroup group : services.connectionGroups()) {
            List<ConnectionDescriptor> members = new ArrayList<>();
            for (Connection member : group.connections()) {
                members.add(describe(member, declared));
            }
            all.add(new GroupDescriptor(group.id(), group.protocolStack().orElse(null), group.multiplexed(),
                    nonDefault(group.sharedProperties()), members));
        }
        return all;
    }

    /**
     * The shared Connection Properties that differ from their RFC 9622 defaults. Every value is a
     * property value (numbers, timeouts, limits, enums), never a security parameter, which is not a
     * Connection Property.
     */
    private static Map<String, String> nonDefault(ConnectionProperties shared) {
        Map<String, String> differing = new LinkedHashMap<>();
        shared.asMap().forEach((name, value) -> {
            Property<?> property = Property.byName(name);
            if (property.kind() == PropertyKind.CONNECTION && !Objects.equals(value, property.defaultValue())) {
                differing.put(name, String.valueOf(value));
            }
        });
        return differing;
    }

    private CacheDescriptor cache() {
        CachedState cached = services.cachedState();
        List<CacheDescriptor.PathStatisticsDescriptor> performance = new ArrayList<>();
        for (PathStatistics statistics : cached.performance()) {
            performance.add(new CacheDescriptor.PathStatisticsDescriptor(format(statistics.remote()),
                    statistics.localNetwork(), statistics.smoothedRtt().map(TapsEndpoint::millis).orElse(null),
                    statistics.establishmentTime().map(TapsEndpoint::millis).orElse(null), statistics.successes(),
                    statistics.failures(), statistics.lastUpdated().toString()));
        }
        return new CacheDescriptor(performance, cached.dnsEntries(), cached.tlsSessions());
    }

    private List<PathDescriptor> paths() {
        List<PathDescriptor> all = new ArrayList<>();
        for (NetworkPath path : services.paths()) {
            List<String> addresses = new ArrayList<>();
            for (InetAddress address : path.addresses()) {
                addresses.add(io.netty.util.NetUtil.toAddressString(address));
            }
            all.add(new PathDescriptor(path.name(), path.type().name(), path.up(), addresses));
        }
        all.sort(Comparator.comparing(PathDescriptor::name));
        return all;
    }

    private static ConnectionDescriptor.TransferDescriptor transfer(TransferReport report) {
        return new ConnectionDescriptor.TransferDescriptor(report.bytesSent(), report.bytesReceived(),
                report.messagesSent(), report.messagesReceived(),
                report.smoothedRtt().map(TapsEndpoint::millis).orElse(null), millis(report.duration()),
                report.readyAt().map(Object::toString).orElse(null));
    }

    private static ConnectionDescriptor.EstablishmentDescriptor establishment(EstablishmentReport report) {
        List<ConnectionDescriptor.AttemptDescriptor> attempts = new ArrayList<>();
        for (EstablishmentReport.Attempt attempt : report.startedAttempts()) {
            EstablishmentReport.Candidate candidate = attempt.candidate();
            attempts.add(new ConnectionDescriptor.AttemptDescriptor(candidate.stack(), format(candidate.remote()),
                    candidate.path(), millis(attempt.startOffset().orElse(Duration.ZERO)),
                    attempt.duration().map(TapsEndpoint::millis).orElse(null), attempt.outcome().name(),
                    attempt.reason().map(reason -> reason.rfcName()).orElse(null), attempt.message().orElse(null),
                    candidate.proxy(), attempt.earlyData()));
        }
        return new ConnectionDescriptor.EstablishmentDescriptor(report.finished(), millis(report.elapsed()),
                report.winner().map(EstablishmentReport.Candidate::describe).orElse(null), attempts, report.notes());
    }

    private static double millis(Duration duration) {
        return duration.toNanos() / 1_000_000.0;
    }

    static String format(@Nullable InetSocketAddress address) {
        if (address == null) {
            return "?";
        }
        // Compressed IPv6 ([::1], not [0:0:0:0:0:0:0:1]), as the establishment report prints it.
        String host = address.getAddress() == null ? address.getHostString()
                : io.netty.util.NetUtil.toAddressString(address.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}

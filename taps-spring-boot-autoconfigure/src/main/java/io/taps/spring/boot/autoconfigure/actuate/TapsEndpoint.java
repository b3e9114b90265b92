package io.taps.spring.boot.autoconfigure.actuate;

import io.taps.monitor.CachedState;
import io.taps.Connection;
import io.taps.ConnectionGroup;
import io.taps.Listener;
import io.taps.monitor.NetworkPath;
import io.taps.monitor.PathStatistics;
import io.taps.TransportServices;
import io.taps.properties.ConnectionProperties;
import io.taps.properties.Property;
import io.taps.properties.PropertyKind;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.spring.client.TapsClientConnections;
import io.taps.spring.client.TapsClientStatus;
import io.taps.spring.client.TapsClients;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/taps}: the Transport Services system, its declared Listeners, its live
 * Connections with their security outcome, establishment and transfer reports (RFC 9622 §7,
 * RFC 9623 §4), their Connection Groups (RFC 9622 §7.4), its cached state (RFC 9623 §9) and its
 * local paths (RFC 9623 §4.1.1); {@code /actuator/taps/{id}} for one Connection. Connections are
 * filtered with {@code ?listener=<id>} and {@code ?state=<ConnectionState>} and listed by id up to
 * {@code ?limit=} (default {@code management.endpoint.taps.default-limit}), each once. Only names,
 * states, addresses, counts and timings are shown: never keys, passwords, certificates, cached
 * sessions or other security parameters. Who the peers are (remote addresses, host names,
 * certificate subjects) is masked unless {@code management.endpoint.taps.show-values} allows it, as
 * for Boot's {@code env} endpoint: this operation (JMX) shows them when the setting is
 * {@code when-authorized} or {@code always}; over HTTP {@link TapsEndpointWebExtension} asks the
 * request's security context.
 *
 * <p>Each section of {@link TapsDescriptor} is built by its own method here.
 */
@Endpoint(id = "taps")
public class TapsEndpoint {
    /** How many Connections an answer lists when the request does not say. */
    public static final int DEFAULT_LIMIT = 100;

    private final TransportServices services;
    private final ListenerDirectory directory;
    private final ListenerActivity activity;
    private final Show showValues;
    private final int defaultLimit;
    private final @Nullable TapsClientConnections clients;
    private final @Nullable TapsClients clientRegistry;
    private final ConnectionDescriber describer = new ConnectionDescriber(new ObjectIds<>("c"));

    /** Peers masked ({@link Show#NEVER}), {@link #DEFAULT_LIMIT} Connections by default. */
    public TapsEndpoint(TransportServices services, ListenerDirectory directory, ListenerActivity activity) {
        this(services, directory, activity, Show.NEVER, DEFAULT_LIMIT, null);
    }

    /**
     * @param showValues   when peer addresses and certificate subjects are shown
     * @param defaultLimit how many Connections an answer lists when the request gives no limit
     */
    public TapsEndpoint(TransportServices services, ListenerDirectory directory, ListenerActivity activity,
            Show showValues, int defaultLimit) {
        this(services, directory, activity, showValues, defaultLimit, null);
    }

    /**
     * @param showValues   when peer addresses and certificate subjects are shown
     * @param defaultLimit how many Connections an answer lists when the request gives no limit
     * @param clients      names the client and profile of the Connections {@code taps.clients} made
     */
    public TapsEndpoint(TransportServices services, ListenerDirectory directory, ListenerActivity activity,
            Show showValues, int defaultLimit, @Nullable TapsClientConnections clients) {
        this(services, directory, activity, showValues, defaultLimit, clients, null);
    }

    /**
     * @param showValues     when peer addresses and certificate subjects are shown
     * @param defaultLimit   how many Connections an answer lists when the request gives no limit
     * @param clients        names the client and profile of the Connections {@code taps.clients} made
     * @param clientRegistry the {@code taps.clients} clients, listed in the {@code clients} section
     */
    public TapsEndpoint(TransportServices services, ListenerDirectory directory, ListenerActivity activity,
            Show showValues, int defaultLimit, @Nullable TapsClientConnections clients,
            @Nullable TapsClients clientRegistry) {
        if (defaultLimit < 1) {
            throw new IllegalArgumentException("the default limit must be at least 1, not " + defaultLimit);
        }
        this.services = services;
        this.directory = directory;
        this.activity = activity;
        this.showValues = showValues;
        this.defaultLimit = defaultLimit;
        this.clients = clients;
        this.clientRegistry = clientRegistry;
    }

    /** Everything, the first {@code defaultLimit} Connections, peers as configured for a trusted caller. */
    public TapsDescriptor taps() {
        return taps(null, null, null);
    }

    /**
     * @param listener only Connections this listener id accepted
     * @param state    only Connections in this state ({@code ESTABLISHING}, {@code ESTABLISHED},
     *                 {@code CLOSING}, {@code CLOSED}; any case)
     * @param limit    at most this many Connections (at least 1)
     */
    @ReadOperation
    public TapsDescriptor taps(@Nullable String listener, @Nullable String state, @Nullable Integer limit) {
        return taps(ConnectionQuery.of(listener, state, limit, defaultLimit), PeerValues.of(showValues.isShown(true)));
    }

    /** One Connection by its id; 404 when it is unknown or Closed. */
    @ReadOperation
    public @Nullable ConnectionDescriptor connection(@Selector String id) {
        return connection(id, PeerValues.of(showValues.isShown(true)));
    }

    TapsDescriptor taps(ConnectionQuery query, PeerValues peers) {
        List<ListenerDirectory.DeclaredListener> declared = directory.declaredListeners();
        ConnectionPage page = connections(declared, query, peers);
        return new TapsDescriptor(system(), listeners(declared), page.listed(), page.count(), groups(page.listed()),
                cache(peers), paths(), clients(peers));
    }

    @Nullable ConnectionDescriptor connection(String id, PeerValues peers) {
        List<ListenerDirectory.DeclaredListener> declared = directory.declaredListeners();
        for (Connection connection : services.connections()) {
            if (describer.idOf(connection).equals(id)) {
                Listener acceptedBy = activity.acceptedBy(connection);
                String listenerId = null;
                for (ListenerDirectory.DeclaredListener entry : declared) {
                    if (acceptedBy != null && entry.listener() == acceptedBy) {
                        listenerId = entry.id();
                    }
                }
                return withClient(connection, acceptedBy, describer.describe(connection, acceptedBy != null, listenerId, peers));
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
                    listener == null ? 0 : activity.acceptedCount(listener), ListenerStates.errorOf(entry),
                    handler(directory.handlerFigures(entry.id()))));
        }
        return all;
    }

    private static ListenerDescriptor.@Nullable HandlerDescriptor handler(
            io.taps.spring.listener.@Nullable ListenerHandlerFigures figures) {
        if (figures == null) {
            return null;
        }
        ListenerDescriptor.LastErrorDescriptor lastError = figures.lastError()
            .map(error -> new ListenerDescriptor.LastErrorDescriptor(error.type(), error.message(),
                    error.time().toString()))
            .orElse(null);
        return new ListenerDescriptor.HandlerDescriptor(figures.inFlight(), figures.handled(), figures.failed(),
                lastError);
    }

    /**
     * The Connections matching {@code query}, first {@code limit} by id, each described once; the
     * groups section names their groups.
     */
    private ConnectionPage connections(List<ListenerDirectory.DeclaredListener> declared, ConnectionQuery query,
            PeerValues peers) {
        Map<Listener, String> listenerIds = new IdentityHashMap<>();
        for (ListenerDirectory.DeclaredListener entry : declared) {
            if (entry.listener() != null) {
                listenerIds.put(entry.listener(), entry.id());
            }
        }
        List<Connection> live = services.connections();
        List<Connection> matching = new ArrayList<>();
        for (Connection connection : live) {
            Listener acceptedBy = activity.acceptedBy(connection);
            if (query.matches(connection, acceptedBy == null ? null : listenerIds.get(acceptedBy))) {
                matching.add(connection);
            }
        }
        matching.sort(ObjectIds.byNumber(describer::idOf));
        List<ConnectionDescriptor> listed = new ArrayList<>();
        for (Connection connection : matching.subList(0, Math.min(query.limit(), matching.size()))) {
            Listener acceptedBy = activity.acceptedBy(connection);
            listed.add(withClient(connection, acceptedBy, describer.describe(connection, acceptedBy != null,
                    acceptedBy == null ? null : listenerIds.get(acceptedBy), peers)));
        }
        return new ConnectionPage(listed,
                new TapsDescriptor.ConnectionCount(live.size(), matching.size(), listed.size(), query.limit()));
    }

    /** Names the {@code taps.clients} client (and its profile) of a Connection one initiated. */
    private ConnectionDescriptor withClient(Connection connection, @Nullable Listener acceptedBy,
            ConnectionDescriptor described) {
        TapsClientConnections.ClientIdentity client = acceptedBy != null || clients == null ? null
                : clients.clientOf(connection).orElse(null);
        return client == null ? described : described.withClient(client.client(), client.profile());
    }

    private record ConnectionPage(List<ConnectionDescriptor> listed, TapsDescriptor.ConnectionCount count) {
    }

    /** The groups of the listed Connections, oldest first, with the ids of their live members. */
    private List<GroupDescriptor> groups(List<ConnectionDescriptor> listed) {
        Set<String> wanted = new HashSet<>();
        for (ConnectionDescriptor connection : listed) {
            wanted.add(connection.group());
        }
        List<GroupDescriptor> all = new ArrayList<>();
        for (ConnectionGroup group : services.connectionGroups()) {
            if (!wanted.contains(group.id())) {
                continue;
            }
            List<String> members = new ArrayList<>();
            for (Connection member : group.connections()) {
                members.add(describer.idOf(member));
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

    private CacheDescriptor cache(PeerValues peers) {
        CachedState cached = services.cachedState();
        List<CacheDescriptor.PathStatisticsDescriptor> performance = new ArrayList<>();
        for (PathStatistics statistics : cached.performance()) {
            performance.add(new CacheDescriptor.PathStatisticsDescriptor(peers.peer(format(statistics.remote())),
                    statistics.localNetwork(), statistics.smoothedRtt().map(TapsEndpoint::millis).orElse(null),
                    statistics.establishmentTime().map(TapsEndpoint::millis).orElse(null), statistics.successes(),
                    statistics.failures(), statistics.lastUpdated().toString()));
        }
        return new CacheDescriptor(performance, cached.dnsEntries(), cached.tlsSessions());
    }

    /** The {@code taps.clients} clients; the peer (remote, and in the last error) masked unless shown. */
    private List<ClientDescriptor> clients(PeerValues peers) {
        if (clientRegistry == null) {
            return List.of();
        }
        List<ClientDescriptor> all = new ArrayList<>();
        for (TapsClientStatus status : clientRegistry.statuses()) {
            ListenerDescriptor.LastErrorDescriptor lastError = null;
            if (status.lastError() != null) {
                List<InetSocketAddress> connected = new ArrayList<>();
                for (Connection connection : clientRegistry.connections(status.name())) {
                    connection.remoteEndpoint().flatMap(RemoteEndpoint::ipAddress)
                        .ifPresent(address -> connected.add(new InetSocketAddress(address, 0)));
                }
                lastError = new ListenerDescriptor.LastErrorDescriptor(status.lastError().type(),
                        peers.scrub(status.lastError().message(), connected,
                                List.of(status.remote(), status.remoteHost())),
                        status.lastError().time().toString());
            }
            all.add(new ClientDescriptor(status.name(), status.profile(), peers.peer(status.remote()),
                    status.state().name().toLowerCase(java.util.Locale.ROOT), status.pendingRequests(),
                    status.connections(), status.reconnects(), lastError));
        }
        return all;
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

    private static double millis(Duration duration) {
        return ConnectionDescriber.millis(duration);
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

package io.taps.internal;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.ConnectionGroup;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.ListenerEventHandler;
import io.taps.Message;
import io.taps.ResolvedEndpoints;
import io.taps.monitor.NetworkPath;
import io.taps.monitor.TransportObserver;
import io.taps.TransportServicesException;
import io.taps.internal.observe.GuardedObserver;
import io.taps.endpoint.LocalEndpoint;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.establish.Establishment;
import io.taps.internal.cache.CacheScope;
import io.taps.internal.cache.CachedStateView;
import io.taps.internal.cache.PerformanceCache;
import io.taps.internal.establish.SoleEstablishment;
import io.taps.internal.listen.ListenerCore;
import io.taps.internal.path.PathChanges;
import io.taps.internal.path.PathMonitor;
import io.taps.internal.path.SystemInterfaces;
import io.taps.internal.blocking.BlockingWork;
import io.taps.internal.protocol.ProtocolRegistry;
import io.taps.internal.resolve.EndpointResolver;
import io.taps.internal.resolve.ResolverConfig;
import io.taps.internal.security.TlsProvider;
import io.taps.internal.establish.StackSelection;
import io.taps.internal.stack.StackEnvironment;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.TransportProperties;
import io.taps.spi.ProtocolStack;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.Timeout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The running Transport Services system behind {@code TransportServices}: event loops, resolver,
 * TLS contexts, and the bookkeeping that lets close() end everything it created.
 */
public final class Engine implements AutoCloseable {
    /** Establishment bound when neither initiate(timeout) nor connTimeout gives one. */
    static final Duration DEFAULT_ESTABLISHMENT_TIMEOUT = Duration.ofSeconds(30);
    /** How long Resolve waits for a STUN server's answer (RFC 8489 §6.2.1 would wait 39.5 s). */
    private static final Duration STUN_GATHERING_TIMEOUT = Duration.ofSeconds(3);
    /** How long close() waits for the Listeners it stops and the Connections it aborts after the graceful phase. */
    private static final Duration ABORT_GRACE = Duration.ofMillis(500);

    private final EngineConfig config;
    private final IoTransport transport;
    private final MultiThreadIoEventLoopGroup group;
    private final EndpointResolver resolver;
    /** The protocol stacks, the application's first (design.md Q-15). */
    private final List<ProtocolStack> protocols;
    private final StackEnvironment stacks;
    /** Work that must not run on an event loop: TLS contexts, interface enumeration (BlockingWork). */
    private final ExecutorService blocking;
    private final SystemInterfaces interfaces;
    private final EndpointResolution endpoints;
    /** The Connections it tracks, and their owner: its observer, their clones' tracker, their untracking. */
    private final TrackedConnections connections = new TrackedConnections();
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private final PerformanceCache performance;
    private final CacheScope sharedScope;
    private volatile PathMonitor pathMonitor;
    private volatile io.taps.internal.transport.NetlinkPathEvents netlink;
    /** The proxies of Preconnections that set none (RFC 9623 §4.1.2). */
    private volatile io.taps.ProxyConfig proxies = io.taps.ProxyConfig.direct();
    /** The last Initiate's selection: a Preconnection reuses its snapshot, so repeated initiates skip selection. */
    private volatile Selected lastSelection;

    /** Selection for one Preconnection snapshot, and what configuration answers for its remotes (EndpointResolver#fixedAnswers). */
    private record Selected(PreconnectionSpec spec, ProtocolStack claimant, List<ProtocolStack> stacks,
            List<EndpointResolver.FixedAnswer> fixedAnswers, io.taps.internal.gather.CandidateTreeMemo trees) { }

    public Engine(EngineConfig config) {
        this(config, new PerformanceCache());
    }

    /** @param performance the shared performance cache (RFC 9623 §9.2) */
    public Engine(EngineConfig config, PerformanceCache performance) {
        this.config = config;
        this.performance = java.util.Objects.requireNonNull(performance, "performance");
        this.sharedScope = CacheScope.shared(performance);
        this.transport = IoTransport.choose(config.nativeTransport());
        this.group = new MultiThreadIoEventLoopGroup(config.eventLoopThreads(),
                new DefaultThreadFactory("taps-" + transport.displayName(), true), transport.ioHandlerFactory());
        ResolverConfig.Builder resolverConfig = ResolverConfig.builder().nameServers(config.nameServers())
                .maxAddressesPerHost(config.racing().maxAddressesPerHost());
        if (config.hostsFile() != null) {
            resolverConfig.hostsFile(config.hostsFile());
        }
        ChannelFactory<? extends DatagramChannel> datagrams = new ReflectiveChannelFactory<>(transport.datagramChannel());
        ChannelFactory<? extends SocketChannel> sockets = new ReflectiveChannelFactory<>(transport.socketChannel());
        this.blocking = BlockingWork.newExecutor("taps-blocking");
        this.interfaces = new SystemInterfaces(blocking);
        // The DNS resolvers inside are built on the first DNS question, on the blocking executor.
        this.resolver = new EndpointResolver(group.next(), datagrams, sockets, resolverConfig.build(), blocking)
                .interfaces(interfaces);
        this.endpoints = new EndpointResolution(resolver, this::paths, blocking, (local, server) ->
                io.taps.internal.stun.StunBindingClient.query(group.next(), transport.datagramChannel(), local, server,
                        STUN_GATHERING_TIMEOUT));
        this.protocols = ProtocolRegistry.with(config.protocols(), transport);
        this.stacks = new StackEnvironment(group, transport, config.eventExecutor(), connections::track, blocking);
    }

    /** The cached state of this system (RFC 9623 §9) for monitoring. */
    public io.taps.monitor.CachedState cachedState() {
        return new CachedStateView(performance, resolver);
    }

    /**
     * The caches a new Connection uses: private ones when it asks for isolateSession (RFC 9622
     * §8.1.10). Its clones use the same scope through the clone support its establishment installs.
     */
    private CacheScope cacheScopeFor(PreconnectionSpec spec) {
        return Boolean.TRUE.equals(spec.properties().get(Property.ISOLATE_SESSION))
                ? CacheScope.isolatedLike(performance) : sharedScope;
    }

    /**
     * Starts polling the interfaces every {@code interval} (design.md Q-20, M-58); a zero interval
     * leaves the monitor off, and {@link #paths()} then reads the interfaces when asked.
     */
    public void monitorPaths(Duration interval) {
        if (!interval.isZero() && pathMonitor == null) {
            // Every poll also refreshes the snapshot that gathering and resolution read on the loops.
            pathMonitor = new PathMonitor(interval, () -> {
                SystemInterfaces.Snapshot read = SystemInterfaces.readSystem();
                interfaces.accept(read);
                performance.attachedNetwork(read.attachment());
                return read.paths();
            }, this::pathsChanged);
            // On Linux with epoll the kernel's interface events trigger reads at once; polling stays
            // as the safety net (and is all there is elsewhere).
            netlink = io.taps.internal.transport.NetlinkPathEvents.start(group, pathMonitor::refreshSoon);
        }
    }

    /** Whether the kernel's interface events drive the path monitor (rtnetlink on epoll), for tests and the report. */
    public boolean pathEventsFromKernel() {
        return netlink != null;
    }

    /** The local interfaces as paths: the monitor's last snapshot, or read now when it is off. */
    public List<NetworkPath> paths() {
        PathMonitor monitor = pathMonitor;
        return monitor != null ? monitor.paths() : List.copyOf(SystemInterfaces.readSystem().paths().values());
    }

    /** PathChange (RFC 9622 §8.3.2) to every Connection whose local address is on a changed interface. */
    private void pathsChanged(PathChanges changes) {
        for (TapsConnection connection : connections.snapshot()) {
            connection.localEndpoint().flatMap(LocalEndpoint::ipAddress).filter(changes::affects)
                    .ifPresent(address -> connection.onPathChange());
        }
    }

    /** The observer of establishments, messages and errors; set once before anything is created. */
    public void observer(TransportObserver newObserver) {
        connections.observeWith(GuardedObserver.guard(java.util.Objects.requireNonNull(newObserver, "observer")));
    }

    /** The proxies of every Preconnection that sets none; set once before anything is created. */
    public void proxies(io.taps.ProxyConfig config) {
        this.proxies = java.util.Objects.requireNonNull(config, "config");
    }

    /**
     * The proxy part of an Initiate's gathering, or null to go direct: the Preconnection's
     * configuration, else the system's; the JVM's ProxySelector is asked here, on the caller's
     * thread (it may read system settings). A ProxySelector that names no proxy for the
     * destinations leaves the Connection direct. PROXY with no stack that tunnels is NoCandidates.
     */
    private io.taps.internal.establish.ProxyGathering proxyGathering(PreconnectionSpec spec,
            List<ProtocolStack> raced) {
        io.taps.ProxyConfig config = spec.proxies() != null ? spec.proxies() : proxies;
        if (config.isDirect()) {
            return null;
        }
        List<io.taps.ProxyServer> servers = new ArrayList<>(config.servers());
        if (config.usesSystemProxies()) {
            for (io.taps.ProxyServer found : io.taps.internal.proxy.SystemProxies.lookup(
                    java.net.ProxySelector.getDefault(), spec.remotes(), System::getProperty)) {
                if (!servers.contains(found)) {
                    servers.add(found);
                }
            }
        }
        if (servers.isEmpty()) {
            return null;
        }
        if (config.policy() == io.taps.ProxyConfig.Policy.PROXY
                && raced.stream().noneMatch(ProtocolStack::tunnelsThroughProxies)) {
            throw new TransportServicesException(ErrorReason.NO_CANDIDATES, "the Connection may only go through "
                    + servers + ", but none of the selected protocol stacks " + raced
                    + " can run through a proxy tunnel (RFC 9623 §4.1.2)");
        }
        return new io.taps.internal.establish.ProxyGathering(config, servers);
    }

    /** The Listeners that are bound or binding, in no particular order. */
    public List<Listener> listeners() {
        return List.copyOf(listeners);
    }

    public String ioTransportName() {
        return transport.displayName();
    }

    public String tlsProviderName() {
        return TlsProvider.describe();
    }

    /** Initiate and InitiateWithSend (RFC 9622 §7.1, §9.2.5). */
    public Connection initiate(PreconnectionSpec spec, Duration timeout, ConnectionEventHandler handler, Message first) {
        ensureOpen();
        if (spec.remotes().isEmpty()) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "Initiate needs at least one RemoteEndpoint (RFC 9622 §7.1, O-02)");
        }
        Selected selected = selection(spec);
        ProtocolStack claimant = selected.claimant();
        List<ProtocolStack> raced = selected.stacks();
        io.taps.internal.establish.ProxyGathering proxied = claimant == null ? proxyGathering(spec, raced) : null;
        TransportProperties properties = claimant == null ? spec.properties()
                : claimant.connectionProperties(spec.properties(), spec.use(Role.INITIATE));
        EventLoop loop = group.next();
        TapsConnection connection = new TapsConnection(loop, config.eventExecutor(), properties, Role.INITIATE,
                handler);
        connection.knownEndpoints(spec.locals(), spec.remotes());
        connections.track(connection);
        ConnectionObservation.establishment(connections.connectionObserver(), connection);
        if (first != null) {
            connection.send(first);
        }
        Duration bound = timeout != null ? timeout : establishmentTimeout(spec);
        if (claimant != null) {
            SoleEstablishment.start(connection, spec, claimant, stacks, cacheScopeFor(spec), bound);
            return connection;
        }
        Establishment establishment = new Establishment(connection, spec, raced, resolver, stacks, bound,
                config.racing(), cacheScopeFor(spec)).earlyData(first != null && mayGoEarly(first, spec) ? first : null)
                .proxies(proxied).snapshot(selected.fixedAnswers(), selected.trees());
        PathMonitor monitor = pathMonitor;
        if (monitor != null) {
            establishment.interfaces(monitor::upInterfaces);
        } else if (!spec.properties().get(Property.INTERFACE).isEmpty()) {
            // Gathering paths for the interface property lists the interfaces: read off the event
            // loop first (or taken from a fresh snapshot), then establishment starts on its loop.
            interfaces.current().whenComplete((snapshot, failure) -> {
                if (snapshot != null) {
                    establishment.interfaces(snapshot::upAddresses);
                } else {
                    establishment.interfaces(() -> {
                        throw new TransportServicesException(ErrorReason.NO_CANDIDATES,
                                "cannot list network interfaces: " + failure.getMessage(), failure);
                    });
                }
                establishment.start();
            });
            return connection;
        }
        establishment.start();
        return connection;
    }

    /**
     * Whether an InitiateWithSend message may be sent as 0-RTT early data, which an attacker can
     * replay: only when it is safelyReplayable (RFC 9622 §9.1.3.4) and not Final, and the
     * application did not prohibit 0-RTT ({@code zeroRttMsg}, §6.2.5).
     */
    private static boolean mayGoEarly(Message first, PreconnectionSpec spec) {
        if (spec.properties().get(Property.ZERO_RTT_MSG) == io.taps.properties.Preference.PROHIBIT) {
            return false;
        }
        io.taps.properties.MessageProperties effective = first.context().properties()
                .withDefaults(spec.properties().messageDefaults());
        return effective.get(Property.SAFELY_REPLAYABLE) && !effective.get(Property.FINAL);
    }

    /**
     * The stacks an Initiate of {@code spec} races. Selection is a pure function of the immutable
     * snapshot, and a Preconnection hands out the same snapshot until a setter changes it, so the
     * last answer is kept for the next Initiate of the same snapshot (identity, one entry).
     */
    private Selected selection(PreconnectionSpec spec) {
        Selected last = lastSelection;
        if (last != null && last.spec() == spec) {
            return last;
        }
        // The claimant too: asking every stack whether it claims the use costs a StackUse and
        // property comparisons per Initiate, and the registered stacks never change.
        ProtocolStack claimant = StackSelection.claimant(spec, Role.INITIATE, protocols);
        List<ProtocolStack> raced = List.copyOf(StackSelection.raceable(spec, Role.INITIATE, protocols));
        Selected selected = new Selected(spec, claimant, raced, resolver.fixedAnswers(spec.remotes()),
                new io.taps.internal.gather.CandidateTreeMemo());
        lastSelection = selected;
        return selected;
    }

    /**
     * Listen (RFC 9622 §7.2): one Listener on every eligible stack (at most one per port space,
     * design.md Q-15), which it names in {@link Listener#protocolStacks()}.
     */
    public Listener listen(PreconnectionSpec spec, ListenerEventHandler handler) {
        ensureOpen();
        if (spec.locals().isEmpty()) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "Listen needs at least one LocalEndpoint, e.g. LocalEndpoint.ofPort(0) (RFC 9622 §7.2, O-02)");
        }
        ProtocolStack claimant = StackSelection.claimant(spec, Role.LISTEN, protocols);
        // Only the stacks that listen are asked whether they are usable and validated: a stack
        // shadowed in its port space (MPTCP behind TCP) loads nothing (issue 21).
        List<ProtocolStack> listening = StackSelection.listening(spec, protocols);
        listening.forEach(stack -> stack.validate(spec.use(Role.LISTEN)));
        TransportProperties properties = claimant == null ? spec.properties()
                : claimant.connectionProperties(spec.properties(), spec.use(Role.LISTEN));
        ListenerCore listener = new ListenerCore(listening, spec, properties, handler, stacks);
        // Tracking starts before binding, so not even the first accepted Connection escapes close().
        listener.trackWith(accepted -> {
            connections.track(accepted);
            ConnectionObservation.received(connections.connectionObserver(), listener, accepted);
        });
        listeners.add(listener);
        listener.ready().exceptionally(failure -> {
            listeners.remove(listener);
            return null;
        });
        // A stopped Listener leaves the list too (TransportServices.listeners()).
        listener.stopped().whenComplete((done, failure) -> listeners.remove(listener));
        if (claimant != null) {
            // A claiming stack binds what its endpoints say (a multicast group), nothing resolved.
            listener.start(List.of());
            return listener;
        }
        endpoints.locals(spec.locals()).whenComplete((addresses, failure) -> {
            if (failure != null) {
                listener.bindFailedByResolution(failure);
            } else {
                listener.start(addresses);
            }
        });
        return listener;
    }

    /**
     * Rendezvous (RFC 9622 §7.3): a stack that claims the Preconnection (a multicast group as both
     * endpoints) establishes it alone; otherwise ICE-style connectivity checks over the best ranked
     * stack that can rendezvous ({@code internal.rendezvous}). {@code trickle} registers the running
     * Rendezvous for the Preconnection's AddRemote and returns how to unregister.
     */
    public Connection rendezvous(PreconnectionSpec spec, io.taps.RendezvousCredentials local,
            io.taps.RendezvousCredentials remote, Duration timeout, ConnectionEventHandler handler,
            java.util.function.Function<java.util.function.Consumer<List<io.taps.endpoint.RemoteEndpoint>>, Runnable> trickle) {
        ensureOpen();
        if (spec.locals().isEmpty() || spec.remotes().isEmpty()) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "Rendezvous needs at least one LocalEndpoint and one RemoteEndpoint (RFC 9622 §7.3, O-02)");
        }
        ProtocolStack claimant = StackSelection.claimant(spec, Role.RENDEZVOUS, protocols);
        ProtocolStack transport = claimant != null ? claimant : io.taps.internal.rendezvous.RendezvousEstablishment
                .choose(StackSelection.rank(spec, Role.RENDEZVOUS, protocols));
        if (claimant == null && remote == null) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, "Rendezvous needs the peer's"
                    + " credentials from signalling: Preconnection.setRemoteRendezvousCredentials (RFC 8445 §5.3)");
        }
        TransportProperties properties = claimant == null ? spec.properties()
                : claimant.connectionProperties(spec.properties(), spec.use(Role.RENDEZVOUS));
        TapsConnection connection = new TapsConnection(group.next(), config.eventExecutor(), properties,
                Role.RENDEZVOUS, handler);
        connection.knownEndpoints(spec.locals(), spec.remotes());
        connections.track(connection);
        ConnectionObservation.establishment(connections.connectionObserver(), connection);
        Duration bound = timeout != null ? timeout : establishmentTimeout(spec);
        if (claimant != null) {
            SoleEstablishment.start(connection, spec, claimant, stacks, cacheScopeFor(spec), bound, Role.RENDEZVOUS);
            return connection;
        }
        io.taps.internal.rendezvous.RendezvousEstablishment.start(connection, spec, transport, local, remote, bound,
                stacks, cacheScopeFor(spec), trickle);
        return connection;
    }

    /** Resolve (RFC 9622 §7.3, A-07): see {@link EndpointResolution#resolve}. */
    public CompletionStage<ResolvedEndpoints> resolve(PreconnectionSpec spec) {
        ensureOpen();
        return endpoints.resolve(spec);
    }

    private static Duration establishmentTimeout(PreconnectionSpec spec) {
        Timeout connTimeout = spec.properties().get(Property.CONN_TIMEOUT);
        return connTimeout.isNone() ? DEFAULT_ESTABLISHMENT_TIMEOUT : connTimeout.duration();
    }

    /** Every Connection not yet Closed, oldest group first (for TransportServices and the actuator). */
    public List<Connection> liveConnections() {
        return ConnectionListing.live(connections.snapshot());
    }

    /** Every group with a member not yet Closed, in the order the groups were created (RFC 9622 §7.4). */
    public List<ConnectionGroup> connectionGroups() {
        return ConnectionListing.groups(connections.snapshot());
    }

    /** Waits until every one of {@code endings} is done or {@code deadline} (System.nanoTime) has passed. */
    private static void awaitUntil(List<CompletableFuture<?>> endings, long deadline) {
        try {
            CompletableFuture.allOf(endings.toArray(CompletableFuture[]::new))
                    .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (Exception ignored) {
            // Timed out or failed: errors were reported as events; shutdown goes on regardless.
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "this TransportServices is closed");
        }
    }

    @Override
    public void close() {
        for (io.netty.util.concurrent.EventExecutor loop : group) {
            if (loop.inEventLoop()) {
                // Closing waits for connections whose events run on this very thread: it could never finish.
                throw new IllegalStateException("TransportServices.close() blocks and must not be called from a"
                        + " taps event handler running on a taps event loop; call it from another thread");
            }
        }
        if (closed) {
            return;
        }
        closed = true;
        PathMonitor monitor = pathMonitor;
        if (monitor != null) {
            monitor.close();
        }
        io.taps.internal.transport.NetlinkPathEvents events = netlink;
        if (events != null) {
            events.stop();
        }
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        // No new Connection is delivered from now on; the listening sockets close only after the
        // graceful phase, because a QUIC Listener's sockets carry the Connections it accepted.
        List<Listener> listening = List.copyOf(listeners);
        listening.forEach(listener -> listener.setNewConnectionLimit(0));
        // Graceful first (RFC 9622 §10 Close): queued Messages are still sent and the peers see a
        // clean end; only what has not ended by the shutdown timeout is aborted.
        List<CompletableFuture<?>> closings = new ArrayList<>();
        for (TapsConnection connection : connections.snapshot()) {
            closings.add(connection.closed().toCompletableFuture());
            connection.close();
        }
        awaitUntil(closings, deadline);
        List<CompletableFuture<?>> endings = new ArrayList<>();
        for (Listener listener : listening) {
            endings.add(listener.stop().toCompletableFuture());
        }
        for (TapsConnection connection : connections.snapshot()) {
            endings.add(connection.closed().toCompletableFuture());
            connection.abort();
        }
        // Stopping and aborting need no peer: they end within a few event-loop turns, bounded all the same.
        awaitUntil(endings, System.nanoTime() + ABORT_GRACE.toNanos());
        resolver.close();
        long remaining = Math.max(0, deadline - System.nanoTime());
        group.shutdownGracefully(0, Math.max(100, TimeUnit.NANOSECONDS.toMillis(remaining)), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(Math.max(100, TimeUnit.NANOSECONDS.toMillis(remaining)) + 100, TimeUnit.MILLISECONDS);
        blocking.shutdownNow();
    }
}

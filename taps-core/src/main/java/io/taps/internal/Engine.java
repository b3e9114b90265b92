package io.taps.internal;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.ListenerEventHandler;
import io.taps.Message;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.establish.Establishment;
import io.taps.internal.gather.CandidateHistory;
import io.taps.internal.listen.DatagramListener;
import io.taps.internal.listen.ListenerCore;
import io.taps.internal.listen.StreamListener;
import io.taps.internal.resolve.EndpointResolver;
import io.taps.internal.resolve.ResolverConfig;
import io.taps.internal.security.SslContexts;
import io.taps.internal.security.TlsProvider;
import io.taps.internal.establish.StackSelection;
import io.taps.internal.stack.StackConnector;
import io.taps.internal.stack.StackKind;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.Timeout;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The running Transport Services system behind {@code TransportServices}: event loops, resolver,
 * TLS contexts, and the bookkeeping that lets close() end everything it created.
 */
public final class Engine implements AutoCloseable {
    /** Establishment bound when neither initiate(timeout) nor connTimeout gives one. */
    static final Duration DEFAULT_ESTABLISHMENT_TIMEOUT = Duration.ofSeconds(30);

    private final EngineConfig config;
    private final IoTransport transport;
    private final MultiThreadIoEventLoopGroup group;
    private final EndpointResolver resolver;
    private final StackConnector connector;
    private final Set<TapsConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile CandidateHistory history = CandidateHistory.NONE;

    public Engine(EngineConfig config) {
        this.config = config;
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
        this.resolver = new EndpointResolver(group.next(), datagrams, sockets, resolverConfig.build());
        this.connector = new StackConnector(transport, io.taps.internal.quic.QuicAvailability.available()
                ? new io.taps.internal.quic.QuicConnector(transport, config.eventExecutor(), this::track) : null);
    }

    /** The ranking by past experience the candidate tree uses (the performance cache sets it). */
    public void candidateHistory(CandidateHistory ranking) {
        this.history = java.util.Objects.requireNonNull(ranking, "ranking");
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
        for (LocalEndpoint local : spec.locals()) {
            if (local.isMulticast()) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                        "a multicast group as local endpoint receives only: use Listen, not Initiate (RFC 9623 §10.5)");
            }
        }
        List<StackKind> stacks = StackSelection.raceable(spec, Role.INITIATE);
        EventLoop loop = group.next();
        TapsConnection connection = new TapsConnection(loop, config.eventExecutor(), spec.properties(), Role.INITIATE,
                handler);
        track(connection);
        if (first != null) {
            connection.send(first);
        }
        Duration bound = timeout != null ? timeout : establishmentTimeout(spec);
        new Establishment(connection, spec, stacks, resolver, connector, bound, config.racing(), history)
                .earlyData(first != null && mayGoEarly(first, spec) ? first : null).start();
        return connection;
    }

    /**
     * Whether an InitiateWithSend message may be sent as 0-RTT early data, which an attacker can
     * replay: only when it is safelyReplayable (RFC 9622 §9.1.3.4) and not Final.
     */
    private static boolean mayGoEarly(Message first, PreconnectionSpec spec) {
        io.taps.properties.MessageProperties effective = first.context().properties()
                .withDefaults(spec.properties().messageDefaults());
        return effective.get(Property.SAFELY_REPLAYABLE) && !effective.get(Property.FINAL);
    }

    /** Listen (RFC 9622 §7.2). */
    public Listener listen(PreconnectionSpec spec, ListenerEventHandler handler) {
        ensureOpen();
        if (spec.locals().isEmpty()) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "Listen needs at least one LocalEndpoint, e.g. LocalEndpoint.ofPort(0) (RFC 9622 §7.2, O-02)");
        }
        List<StackKind> ranked = StackSelection.rank(spec, Role.LISTEN);
        StackKind stack = ranked.get(0);
        // QUIC and TLS/TCP both eligible (only possible with identical security, TLS 1.3
        // only): one Listener on both, TCP and UDP ports of the same number, so a racing client wins with either.
        boolean dual = ranked.contains(StackKind.QUIC) && ranked.contains(StackKind.TLS_TCP);
        if (dual) {
            stack = StackKind.TLS_TCP;
        }
        SslContext sslContext = stack.secure() && !stack.quic() ? SslContexts.forServer(spec.security()) : null;
        ListenerCore listener = stack.quic()
                ? new io.taps.internal.listen.QuicListener(spec.properties(), handler, config.eventExecutor(), group,
                        transport, spec.security(), spec.framers())
                : stack.datagram()
                ? new DatagramListener(stack, spec.properties(), handler, config.eventExecutor(), group, transport)
                : new StreamListener(stack, spec.properties(), handler, config.eventExecutor(), group, transport,
                        sslContext, spec.security(), spec.framers());
        if (dual) {
            listener.listenAlsoWithQuic(group, transport, spec.security(), spec.framers(), config.eventExecutor(),
                    ranked.get(0) == StackKind.QUIC);
        }
        // Tracking starts before binding, so not even the first accepted Connection escapes close().
        listener.trackWith(this::track);
        resolveLocals(spec.locals()).whenComplete((addresses, failure) -> {
            if (failure != null) {
                listener.bindFailedByResolution(failure);
            } else {
                listener.start(addresses);
            }
        });
        listeners.add(listener);
        listener.ready().exceptionally(failure -> {
            listeners.remove(listener);
            return null;
        });
        return listener;
    }

    private CompletableFuture<List<InetSocketAddress>> resolveLocals(List<LocalEndpoint> locals) {
        List<CompletableFuture<List<InetSocketAddress>>> lookups = new ArrayList<>();
        for (LocalEndpoint local : locals) {
            lookups.add(resolver.resolve(local).toCompletableFuture());
        }
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<InetSocketAddress> all = new ArrayList<>();
            for (CompletableFuture<List<InetSocketAddress>> lookup : lookups) {
                for (InetSocketAddress address : lookup.join()) {
                    if (!all.contains(address)) {
                        all.add(address);
                    }
                }
            }
            return all;
        });
    }

    private static Duration establishmentTimeout(PreconnectionSpec spec) {
        Timeout connTimeout = spec.properties().get(Property.CONN_TIMEOUT);
        return connTimeout.isNone() ? DEFAULT_ESTABLISHMENT_TIMEOUT : connTimeout.duration();
    }

    private void track(TapsConnection connection) {
        connections.add(connection);
        connection.closed().whenComplete((ok, failure) -> connections.remove(connection));
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
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        List<CompletableFuture<?>> endings = new ArrayList<>();
        for (Listener listener : listeners) {
            endings.add(listener.stop().toCompletableFuture());
        }
        for (TapsConnection connection : connections) {
            endings.add(connection.closed().toCompletableFuture());
            connection.abort();
        }
        try {
            CompletableFuture.allOf(endings.toArray(CompletableFuture[]::new))
                    .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (Exception ignored) {
            // Errors were reported as events; shutdown goes on regardless.
        }
        resolver.close();
        long remaining = Math.max(0, deadline - System.nanoTime());
        group.shutdownGracefully(0, Math.max(100, TimeUnit.NANOSECONDS.toMillis(remaining)), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(Math.max(100, TimeUnit.NANOSECONDS.toMillis(remaining)) + 100, TimeUnit.MILLISECONDS);
    }
}

package io.taps;

import io.taps.monitor.CachedState;
import io.taps.monitor.TransportObserver;
import io.taps.monitor.NetworkPath;

import io.taps.internal.Engine;
import io.taps.spi.ProtocolStack;
import io.taps.internal.EngineConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The entry point of taps: a Transport Services system (RFC 9621 §3, RFC 9622 §3; checklist C-01).
 * It owns the Netty event loops, the name resolver and the TLS context cache that every
 * {@link Preconnection} made from it shares.
 *
 * <p>Create one per application and close it at shutdown; closing it closes every Connection and
 * Listener made from it. Native epoll is used when Netty reports it available, NIO otherwise, and
 * BoringSSL when it loads, the JDK's TLS otherwise.
 *
 * <pre>{@code
 * try (TransportServices taps = TransportServices.create()) {
 *     Connection c = taps.preconnection()
 *         .remote(RemoteEndpoint.ofHost("localhost", 7000))
 *         .build()
 *         .initiate();
 *     c.ready().thenCompose(ok -> c.send("hello"));
 * }
 * }</pre>
 */
public final class TransportServices implements AutoCloseable {
    static {
        // The receive path makes one copy from the network buffer into an array it never shares;
        // adopting that array avoids a second copy without making a mutable Message public. The
        // accessor is installed here, by the one public class the internals start from, so that
        // Message itself never depends on the internals (no package cycle).
        io.taps.internal.MessageAccess.install(new io.taps.internal.MessageAccess() {
            @Override
            public Message adopt(byte[] ownedData, MessageContext context, boolean endOfMessage) {
                return Message.adopt(ownedData, context, endOfMessage);
            }

            @Override
            public byte[] array(Message message) {
                return Message.array(message);
            }

            @Override
            public Message lend(io.netty.buffer.ByteBuf buffer, MessageContext context, boolean endOfMessage) {
                return BorrowedMessage.lend(buffer, context, endOfMessage);
            }

            @Override
            public void lendToThisThread(Message message) {
                if (message instanceof BorrowedMessage) {
                    ((BorrowedMessage) message).lendTo(Thread.currentThread());
                }
            }

            @Override
            public void endLoan(Message message) {
                if (message instanceof BorrowedMessage) {
                    ((BorrowedMessage) message).endLoan();
                }
            }

            @Override
            public io.netty.buffer.ByteBuf lentBytes(Message message) {
                return message instanceof BorrowedMessage ? ((BorrowedMessage) message).lentBytes() : null;
            }

            @Override
            public MessageContext earlyData(MessageContext context) {
                return context.asEarlyData();
            }

            @Override
            public MessageContext receivedOn(java.net.InetSocketAddress from, java.net.InetSocketAddress to,
                    boolean isFinal) {
                return MessageContext.receivedOn(from, to, isFinal);
            }
        });
    }

    private final Engine engine;

    private TransportServices(EngineConfig config) {
        this.engine = new Engine(config);
    }

    private TransportServices(EngineConfig config, io.taps.internal.cache.PerformanceCache performance) {
        this.engine = new Engine(config, performance);
    }

    /** A system with default settings. */
    public static TransportServices create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder for a new Preconnection (RFC 9622 §6, A-01). */
    public Preconnection.Builder preconnection() {
        return Preconnection.builder(engine);
    }

    /** The I/O transport in use: {@code "epoll"} or {@code "nio"}. */
    public String ioTransport() {
        return engine.ioTransportName();
    }

    /** The TLS implementation in use, for example {@code "BoringSSL"} or {@code "JDK"}. */
    public String tlsProvider() {
        return engine.tlsProviderName();
    }

    /**
     * The cached state of this system (RFC 9623 §9; M-64..M-67): the performance cache, the DNS
     * answers and the TLS sessions, for monitoring and {@link CachedState#clear() clearing}.
     */
    public CachedState cachedState() {
        return engine.cachedState();
    }

    /**
     * Every Connection Group (RFC 9622 §7.4) of this system with a member not yet Closed, oldest
     * first: a group of one for each Connection never cloned. A group leaves this list when its
     * last member is Closed. A snapshot, for monitoring (C-19).
     */
    public List<ConnectionGroup> connectionGroups() {
        return engine.connectionGroups();
    }

    /**
     * Every Connection of this system not yet Closed (initiated, cloned, or delivered by a
     * Listener), grouped by Connection Group, oldest group first. A snapshot, for monitoring (C-19).
     */
    public List<Connection> connections() {
        return engine.liveConnections();
    }

    /**
     * The local interfaces as paths (RFC 9623 §4.1.1, RFC 9622 §8.3.2; design.md Q-20): what the
     * path monitor saw last, or read now when the monitor is off
     * ({@link Builder#pathMonitorInterval(Duration)} of zero).
     */
    public List<NetworkPath> paths() {
        return engine.paths();
    }

    /**
     * The Listeners of this system that are bound or still binding (a live, read-only snapshot);
     * a Listener leaves the list when it is stopped or fails to bind. Not part of RFC 9622: for
     * monitoring, e.g. an actuator endpoint.
     */
    public List<Listener> listeners() {
        return engine.listeners();
    }

    /**
     * Closes every Connection and stops every Listener made from this system, then stops its event
     * loops. Listeners deliver no new Connection from the start; Connections are closed gracefully (RFC 9622 §10 Close): Messages already queued are
     * still sent and each peer sees a clean end. A Connection that has not reached Closed when the
     * {@linkplain Builder#shutdownTimeout(Duration) shutdown timeout} expires (for example because
     * its peer stopped reading) is aborted (RFC 9622 §10 Abort, ConnectionError); then the Listeners
     * stop. Blocks for at most the shutdown timeout plus a short bound for stopping, the aborts and
     * the event loops.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** Settings of a {@link TransportServices}. */
    public static final class Builder {
        private int eventLoopThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private boolean nativeTransport = !"nio".equalsIgnoreCase(System.getProperty("taps.transport", ""));
        private List<InetSocketAddress> nameServers = List.of();
        private Path hostsFile;
        private Executor eventExecutor;
        private Duration shutdownTimeout = Duration.ofSeconds(5);
        private RacingConfig racing = RacingConfig.defaults();
        private int performanceCacheSize = io.taps.internal.cache.PerformanceCache.DEFAULT_MAX_ENTRIES;
        private Duration performanceHalfLife = io.taps.internal.cache.PerformanceCache.DEFAULT_HALF_LIFE;
        private Duration pathMonitorInterval = Duration.ofSeconds(5);
        private final List<TransportObserver> observers = new java.util.ArrayList<>();
        private final List<ProtocolStack> protocols = new java.util.ArrayList<>();
        private ProxyConfig proxies = ProxyConfig.direct();

        private Builder() {
        }

        /**
         * Registers a protocol stack (RFC 9622 §4, RFC 9623 §4 and §10; design.md Q-15) next to the
         * built-in ones (TCP, TLS/TCP, UDP, QUIC, UDP multicast, always registered): candidate
         * selection may choose it, the racer races it against the other eligible stacks with the
         * same security, and a Listener listens on it too. Stacks registered here are preferred, in
         * the order registered, to built-in ones that meet the Selection Properties equally well.
         * A stack's name must be unique among all stacks, or {@link #build()} fails with
         * InvalidConfiguration.
         */
        public Builder protocol(ProtocolStack stack) {
            if (stack == null) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, "protocol must not be null");
            }
            this.protocols.add(stack);
            return this;
        }

        /**
         * The most (remote address, local network) entries the performance cache keeps (RFC 9623
         * §9.2, Q-18); default 4096, the least recently updated go first; 0 turns the cache off (races
         * are then ordered without experience).
         */
        public Builder performanceCacheSize(int entries) {
            if (entries < 0) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                        "performanceCacheSize must not be negative, was " + entries);
            }
            this.performanceCacheSize = entries;
            return this;
        }

        /**
         * How fast the performance cache forgets (RFC 9623 §9.2, Q-18): success and failure counts
         * halve once per half-life; default 10 minutes. An address that went unanswered once ranks
         * last for one half-life, one that failed for two.
         */
        public Builder performanceHalfLife(Duration halfLife) {
            if (halfLife == null || halfLife.isNegative() || halfLife.isZero()) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                        "performanceHalfLife must be positive, was " + halfLife);
            }
            this.performanceHalfLife = halfLife;
            return this;
        }

        /** Event loop threads; defaults to the number of processors. */
        public Builder eventLoopThreads(int threads) {
            if (threads < 1) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                        "eventLoopThreads must be at least 1, was " + threads);
            }
            this.eventLoopThreads = threads;
            return this;
        }

        /**
         * Whether to use Netty's native epoll transport when available (default true, or false when
         * the system property {@code taps.transport=nio} is set).
         */
        public Builder nativeTransport(boolean useNative) {
            this.nativeTransport = useNative;
            return this;
        }

        /** DNS servers to ask; empty (the default) means the platform's configured servers. */
        public Builder nameServers(List<InetSocketAddress> servers) {
            this.nameServers = List.copyOf(servers);
            return this;
        }

        /** A hosts file to honour instead of the system's. */
        public Builder hostsFile(Path file) {
            this.hostsFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Delivers events on {@code executor} instead of the connection's event loop (for example
         * virtual threads on JDK 21+); each connection's events stay in order.
         */
        public Builder eventExecutor(Executor executor) {
            this.eventExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * How long {@link TransportServices#close()} lets Connections close gracefully before it
         * aborts the rest (default 5 s).
         */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * The timers and limits of candidate racing (RFC 9623 §4.3, Q-2, M-72); defaults to
         * {@link RacingConfig#defaults()}.
         */
        public Builder racing(RacingConfig config) {
            if (config == null) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, "racing must not be null");
            }
            this.racing = config;
            return this;
        }

        /**
         * How often the path monitor polls the interfaces to raise PathChange (RFC 9622 §8.3.2,
         * design.md Q-20); default 5 s, {@link Duration#ZERO} turns the monitor off.
         */
        public Builder pathMonitorInterval(Duration interval) {
            if (interval == null || interval.isNegative()) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                        "pathMonitorInterval must be zero (off) or positive, was " + interval);
            }
            this.pathMonitorInterval = interval;
            return this;
        }

        /**
         * Adds an observer of establishments, messages and errors (for metrics; not part of RFC
         * 9622). Several may be added; they are called in the order added.
         */
        public Builder observer(TransportObserver observer) {
            if (observer == null) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, "observer must not be null");
            }
            this.observers.add(observer);
            return this;
        }

        /**
         * The proxies every Connection may go through unless its Preconnection sets its own (RFC
         * 9623 §4.1.2: proxies are protocol options of the candidate tree; see {@link ProxyConfig});
         * default {@link ProxyConfig#direct()}.
         */
        public Builder proxies(ProxyConfig config) {
            if (config == null) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, "proxies must not be null");
            }
            this.proxies = config;
            return this;
        }

        public TransportServices build() {
            TransportServices system = new TransportServices(new EngineConfig(eventLoopThreads, nativeTransport,
                    nameServers, hostsFile, eventExecutor, shutdownTimeout, racing, protocols),
                    new io.taps.internal.cache.PerformanceCache(performanceCacheSize, performanceHalfLife));
            system.engine.observer(io.taps.internal.observe.CompositeObserver.of(observers));
            system.engine.monitorPaths(pathMonitorInterval);
            system.engine.proxies(proxies);
            return system;
        }
    }
}

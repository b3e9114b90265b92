package io.taps;

import io.taps.internal.Engine;
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
    private final Engine engine;

    private TransportServices(EngineConfig config) {
        this.engine = new Engine(config);
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
     * The Listeners of this system that are bound or still binding (a live, read-only snapshot);
     * a Listener leaves the list when it is stopped or fails to bind. Not part of RFC 9622: for
     * monitoring, e.g. an actuator endpoint.
     */
    public List<Listener> listeners() {
        return engine.listeners();
    }

    /**
     * The Connections of this system that are not Closed yet, initiated or accepted (a snapshot).
     * Not part of RFC 9622: for monitoring, e.g. an actuator endpoint.
     */
    public List<Connection> connections() {
        return engine.connections();
    }

    /**
     * Closes every Connection and Listener made from this system, then stops its event loops,
     * waiting at most the shutdown timeout.
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
        private final List<TransportObserver> observers = new java.util.ArrayList<>();

        private Builder() {
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

        /** How long {@link TransportServices#close()} waits for connections and loops to stop. */
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

        public TransportServices build() {
            TransportServices services = new TransportServices(new EngineConfig(eventLoopThreads, nativeTransport,
                    nameServers, hostsFile, eventExecutor, shutdownTimeout, racing));
            services.engine.observer(TransportObserver.composite(observers));
            return services;
        }
    }
}

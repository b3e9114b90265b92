package io.taps;

import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.FramerFactory;
import io.taps.internal.Engine;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.listen.AcceptQueue;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A Preconnection: the endpoints, Transport Properties and Security Parameters from which
 * Connections and Listeners are made (RFC 9622 §6, checklist O-01, A-01).
 *
 * <p>A Preconnection is reusable and may be changed at any time; {@link #initiate} and
 * {@link #listen} take a deep snapshot, so later changes never affect a Connection or Listener
 * already created (O-01, M-02). <b>Secure by default</b> (RFC 9622 §6.3): without
 * {@link #setSecurityParameters security parameters} a Preconnection requires TLS (or QUIC's TLS 1.3)
 * with certificate verification against the system trust store and hostname verification, as
 * {@code SecurityParameters.builder().build()} gives; a Listener then also needs an identity.
 * Cleartext takes an explicit {@link SecurityParameters#disabled()}, and
 * {@link SecurityParameters#opportunistic()} tries TLS first and falls back to cleartext.
 * It is safe to use from several threads.
 *
 * <p>Message Framers ({@link #addFramer}, RFC 9622 §9.1.2.1) are kept in the order added; the
 * first one added is nearest the application (it frames a sent Message first and sees received
 * data last), each later one sits below the previous, nearest the network last. Each Connection,
 * each establishment attempt and each Connection a Listener accepts gets its own instances.
 * With a framer, byte-stream stacks count as preserving message boundaries during selection.
 * Framers apply to byte-stream stacks (TCP, TLS/TCP) only: a datagram stack already preserves
 * boundaries, so a Connection or Listener that ends up on UDP sends and receives its Messages as
 * plain datagrams and creates no framer.
 */
public final class Preconnection {
    private final Engine engine;
    private final List<LocalEndpoint> locals = new ArrayList<>();
    private final List<RemoteEndpoint> remotes = new ArrayList<>();
    private TransportProperties properties;
    private SecurityParameters security;
    private final List<FramerFactory> framers = new ArrayList<>();
    /** This Preconnection's proxies, or null for the TransportServices' (RFC 9623 §4.1.2). */
    private ProxyConfig proxies;
    /** The last snapshot; immutable, so reused until a setter changes this Preconnection. */
    private PreconnectionSpec snapshot;
    /** This side's ICE credential for Rendezvous (RFC 9622 §7.3), random unless the builder set one. */
    private final RendezvousCredentials rendezvousCredentials;
    private RendezvousCredentials remoteRendezvousCredentials;
    /** The host candidates the last Resolve bound (ephemeral ports made concrete), which Rendezvous reuses. */
    private List<LocalEndpoint> resolvedLocals;
    /** Running Rendezvous establishments that want candidates trickled in by AddRemote (RFC 9622 §7.3). */
    private final List<java.util.function.Consumer<List<RemoteEndpoint>>> trickle = new ArrayList<>();

    private Preconnection(Engine engine, Builder builder) {
        this.engine = engine;
        this.locals.addAll(builder.locals);
        this.remotes.addAll(builder.remotes);
        this.properties = builder.properties;
        this.security = builder.security;
        this.framers.addAll(builder.framers);
        this.proxies = builder.proxies;
        this.rendezvousCredentials = builder.rendezvousCredentials != null ? builder.rendezvousCredentials
                : RendezvousCredentials.random();
        this.remoteRendezvousCredentials = builder.remoteRendezvousCredentials;
    }

    static Builder builder(Engine engine) {
        return new Builder(engine);
    }

    /** Initiate (§7.1, A-09): starts establishment and returns the Connection at once. */
    public Connection initiate() {
        return initiate(null, new ConnectionEventHandler() { });
    }

    /** Initiate with a handler that sees every event of the new Connection, Ready included. */
    public Connection initiate(ConnectionEventHandler handler) {
        return initiate(null, handler);
    }

    /**
     * Initiate with an establishment timeout: if the Connection is not Ready within
     * {@code timeout}, EstablishmentError follows with reason Timeout. Without one, the
     * {@code connTimeout} property bounds establishment when set, else 30 seconds.
     *
     * <p>The timeout covers establishment only (resolution, racing, handshakes, up to Ready); once
     * Ready it has no effect. For a Connection that goes silent use {@code _taps.idleTimeout}, for
     * data the peer does not acknowledge {@code connTimeout} (RFC 9622 §8.1.3), and for Close
     * {@code _taps.closeTimeout} (see {@link Connection} and docs/streams.md). Example:
     * {@code preconnection.initiate(Duration.ofSeconds(3), handler)} fails with EstablishmentError
     * Timeout when no Ready comes within 3 s.
     */
    public Connection initiate(Duration timeout, ConnectionEventHandler handler) {
        return engine.initiate(snapshot(), timeout, Objects.requireNonNull(handler, "handler"), null);
    }

    /**
     * InitiateWithSend (§9.2.5, A-10): initiates and sends {@code message} as the first Message.
     * A failure caused by establishment is reported only as EstablishmentError.
     */
    public Connection initiateWithSend(Message message, ConnectionEventHandler handler) {
        // Kept, not borrowed: the first Message outlives the calling handler (it waits for the race).
        return engine.initiate(snapshot(), null, Objects.requireNonNull(handler, "handler"),
                Objects.requireNonNull(message, "message").keep());
    }

    /**
     * Listen (§7.2, A-11) in the accept style: starts a Listener whose Connections are taken with
     * {@link Listener#accept()} or {@link Listener#connections()} instead of a handler's
     * ConnectionReceived; ListenError fails them, Stopped ends them.
     */
    public Listener listen() {
        return engine.listen(snapshot(), new AcceptQueue());
    }

    /** Listen (§7.2, A-11): starts a Listener on the local endpoints; ConnectionReceived follows. */
    public Listener listen(ListenerEventHandler handler) {
        return engine.listen(snapshot(), Objects.requireNonNull(handler, "handler"));
    }

    /**
     * Resolve (RFC 9622 §7.3, A-07): resolves this Preconnection's endpoints now, for early binding
     * or to tell a peer where to reach it (e.g. before a Rendezvous). Completes with every Remote
     * Endpoint's addresses (a host name becomes its IPv6 and IPv4 addresses, deduplicated) and the
     * Local Endpoints' addresses; without Local Endpoints, the addresses of every interface that is
     * up, with port 0 (ephemeral). Fails with ResolutionFailed when a Remote Endpoint cannot be
     * resolved. A later Initiate or Listen resolves again.
     *
     * <p>For a {@link #rendezvous Rendezvous} these are the local candidates to signal to the peer
     * (RFC 9622 §7.3): a wildcard Local Endpoint becomes the addresses of the interfaces that are
     * up (loopback and link-local left out), and a Local Endpoint with a
     * {@linkplain LocalEndpoint#stunServer() STUN server} is bound once (an ephemeral port becomes
     * concrete) to ask the server for its server-reflexive address, which follows the host
     * candidates ({@link ResolvedEndpoints#serverReflexiveEndpoints()}); a server that does not
     * answer within 3 s fails the stage with ResolutionFailed. A later Rendezvous of this
     * Preconnection uses the host candidates returned here, ports included.
     */
    public CompletionStage<ResolvedEndpoints> resolve() {
        return engine.resolve(snapshot()).thenApply(resolved -> {
            synchronized (this) {
                resolvedLocals = resolved.hostCandidates();
            }
            return resolved;
        });
    }

    /**
     * Rendezvous (RFC 9622 §7.3, RFC 9623 §4.3, A-12): listens on the Local Endpoints and connects to
     * the Remote Endpoints at the same time, checking candidate pairs in the ICE way (RFC 8445
     * ordering, pairing, STUN Binding checks with this side's and the peer's
     * {@link #rendezvousCredentials() credentials}, one nominated pair) until one works with the
     * peer, which does the same. Returns the Connection at once (Establishing); the handler's
     * {@link ConnectionEventHandler#rendezvousDone RendezvousDone} follows with the established
     * Connection, or {@link ConnectionEventHandler#establishmentError EstablishmentError} when no
     * pair works within {@code timeout} (else {@code connTimeout}, else 30 s), naming why.
     *
     * <p>Needs at least one Local and one Remote Endpoint, IP addresses with ports (the peer's
     * candidates from {@link #resolve()} received over the application's signalling), and the peer's
     * credentials ({@link #setRemoteRendezvousCredentials}). Remote Endpoints added later by
     * {@link #addRemote} join the running checks (trickle ICE). Rendezvous over UDP or, when
     * reliability is required, TCP by simultaneous open; with a multicast any-source group as both
     * Local and Remote Endpoint (RFC 9622 §6.1.1), a Connection sending to and receiving from the
     * group. docs/rendezvous.md has an example.
     *
     * @throws TransportServicesException InvalidConfiguration without Local or Remote Endpoints or
     *     without the peer's credentials; NoCandidates when no stack can serve a Rendezvous
     */
    public Connection rendezvous(ConnectionEventHandler handler) {
        return rendezvous(null, handler);
    }

    /** {@link #rendezvous(ConnectionEventHandler)} bounded by {@code timeout}. */
    public Connection rendezvous(Duration timeout, ConnectionEventHandler handler) {
        Objects.requireNonNull(handler, "handler");
        PreconnectionSpec spec;
        RendezvousCredentials remote;
        synchronized (this) {
            spec = snapshot();
            if (resolvedLocals != null && !resolvedLocals.isEmpty()) {
                spec = new PreconnectionSpec(resolvedLocals, spec.remotes(), spec.properties(), spec.security(),
                        spec.framers());
            }
            remote = remoteRendezvousCredentials;
        }
        return engine.rendezvous(spec, rendezvousCredentials, remote, timeout, handler, this::trickleTo);
    }

    /** Registers a running Rendezvous for AddRemote; the returned runnable unregisters it. */
    private synchronized Runnable trickleTo(java.util.function.Consumer<List<RemoteEndpoint>> running) {
        trickle.add(running);
        return () -> {
            synchronized (this) {
                trickle.remove(running);
            }
        };
    }

    /**
     * This side's short-term credential for {@link #rendezvous Rendezvous} (RFC 9622 §7.3, RFC 8445
     * §5.3): send it to the peer over signalling together with the candidates {@link #resolve()}
     * returns. Random per Preconnection unless {@link Builder#rendezvousCredentials} set it.
     */
    public RendezvousCredentials rendezvousCredentials() {
        return rendezvousCredentials;
    }

    /** The peer's credential, received over signalling; a Rendezvous needs it. */
    public synchronized Preconnection setRemoteRendezvousCredentials(RendezvousCredentials remote) {
        this.remoteRendezvousCredentials = Objects.requireNonNull(remote, "remote");
        return this;
    }

    /**
     * AddRemote (RFC 9622 §7.3): adds remote endpoints; several mean equivalent services (O-02).
     * During a {@link #rendezvous Rendezvous} they are candidates the peer trickled over signalling
     * after the Rendezvous began, and the running connectivity checks take them up at once.
     */
    public Preconnection addRemote(RemoteEndpoint... endpoints) {
        List<java.util.function.Consumer<List<RemoteEndpoint>>> running;
        synchronized (this) {
            remotes.addAll(List.of(endpoints));
            snapshot = null;
            running = List.copyOf(trickle);
        }
        List<RemoteEndpoint> added = List.of(endpoints);
        running.forEach(each -> each.accept(added));
        return this;
    }

    /** Adds local endpoints. */
    public synchronized Preconnection addLocal(LocalEndpoint... endpoints) {
        locals.addAll(List.of(endpoints));
        snapshot = null;
        resolvedLocals = null;
        return this;
    }

    /** Replaces the Transport Properties. */
    public synchronized Preconnection setTransportProperties(TransportProperties newProperties) {
        this.properties = Objects.requireNonNull(newProperties, "properties");
        snapshot = null;
        return this;
    }

    /** Sets one property by its RFC name (C-20), e.g. {@code setProperty("reliability", "require")}. */
    public synchronized Preconnection setProperty(String name, Object value) {
        this.properties = properties.toBuilder().set(name, value).build();
        snapshot = null;
        return this;
    }

    /** Replaces the Security Parameters. */
    public synchronized Preconnection setSecurityParameters(SecurityParameters newSecurity) {
        this.security = Objects.requireNonNull(newSecurity, "security");
        snapshot = null;
        return this;
    }

    /**
     * Preconnection.AddFramer (RFC 9622 §7.1, §9.1.2.1): adds a Message Framer below those added
     * before (nearer the network); the first one added stays nearest the application.
     */
    public synchronized Preconnection addFramer(FramerFactory framer) {
        framers.add(Objects.requireNonNull(framer, "framer"));
        snapshot = null;
        return this;
    }

    /**
     * The proxies Connections of this Preconnection may go through, and how they race the direct
     * path (RFC 9623 §4.1.2 protocol options; see {@link ProxyConfig}); replaces the
     * TransportServices' configuration for this Preconnection, {@code null} restores it.
     */
    public synchronized Preconnection setProxies(ProxyConfig newProxies) {
        this.proxies = newProxies;
        snapshot = null;
        return this;
    }

    /** This Preconnection's own proxy configuration, or empty when the TransportServices' applies. */
    public synchronized java.util.Optional<ProxyConfig> proxies() {
        return java.util.Optional.ofNullable(proxies);
    }

    /** The framer factories in the order added (first nearest the application). */
    public synchronized List<FramerFactory> framers() {
        return List.copyOf(framers);
    }

    public synchronized List<RemoteEndpoint> remoteEndpoints() {
        return List.copyOf(remotes);
    }

    public synchronized List<LocalEndpoint> localEndpoints() {
        return List.copyOf(locals);
    }

    public synchronized TransportProperties transportProperties() {
        return properties;
    }

    public synchronized SecurityParameters securityParameters() {
        return security;
    }

    private synchronized PreconnectionSpec snapshot() {
        if (snapshot == null) {
            snapshot = new PreconnectionSpec(locals, remotes, properties, security, framers, proxies);
        }
        return snapshot;
    }

    @Override
    public synchronized String toString() {
        return "Preconnection[remote=" + remotes + ", local=" + locals + ", " + properties + ", " + security
                + (framers.isEmpty() ? "" : ", " + framers.size() + " framer(s)") + "]";
    }

    /** Builds a {@link Preconnection}; get one from {@link TransportServices#preconnection()}. */
    public static final class Builder {
        private final Engine engine;
        private final List<LocalEndpoint> locals = new ArrayList<>();
        private final List<RemoteEndpoint> remotes = new ArrayList<>();
        private TransportProperties properties = TransportProperties.defaults();
        private SecurityParameters security = SecurityParameters.secureDefault();
        private final List<FramerFactory> framers = new ArrayList<>();
        private ProxyConfig proxies;
        private RendezvousCredentials rendezvousCredentials;
        private RendezvousCredentials remoteRendezvousCredentials;

        private Builder(Engine engine) {
            this.engine = engine;
        }

        public Builder remote(RemoteEndpoint... endpoints) {
            remotes.addAll(List.of(endpoints));
            return this;
        }

        public Builder remotes(Collection<RemoteEndpoint> endpoints) {
            remotes.addAll(endpoints);
            return this;
        }

        public Builder local(LocalEndpoint... endpoints) {
            locals.addAll(List.of(endpoints));
            return this;
        }

        public Builder properties(TransportProperties newProperties) {
            this.properties = Objects.requireNonNull(newProperties, "properties");
            return this;
        }

        public Builder security(SecurityParameters newSecurity) {
            this.security = Objects.requireNonNull(newSecurity, "security");
            return this;
        }

        /**
         * Adds Message Framers in order (RFC 9622 §9.1.2.1, see {@link Preconnection#addFramer}):
         * the first given (of the first call) is nearest the application.
         */
        public Builder framer(FramerFactory... factories) {
            for (FramerFactory factory : factories) {
                framers.add(Objects.requireNonNull(factory, "framer"));
            }
            return this;
        }

        /** This Preconnection's proxies (RFC 9623 §4.1.2), see {@link Preconnection#setProxies}. */
        public Builder proxies(ProxyConfig newProxies) {
            this.proxies = newProxies;
            return this;
        }

        /** This side's Rendezvous credential (RFC 9622 §7.3), instead of a random one. */
        public Builder rendezvousCredentials(RendezvousCredentials local) {
            this.rendezvousCredentials = Objects.requireNonNull(local, "local");
            return this;
        }

        /** The peer's Rendezvous credential, received over signalling. */
        public Builder remoteRendezvousCredentials(RendezvousCredentials remote) {
            this.remoteRendezvousCredentials = Objects.requireNonNull(remote, "remote");
            return this;
        }

        public Preconnection build() {
            return new Preconnection(engine, this);
        }
    }
}

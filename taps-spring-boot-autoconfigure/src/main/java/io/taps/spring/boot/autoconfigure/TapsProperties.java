package io.taps.spring.boot.autoconfigure;

import io.taps.RacingConfig;
import io.taps.security.ClientAuthentication;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.convert.DurationUnit;

/**
 * {@link ConfigurationProperties Properties} of the taps Transport Services system under
 * {@code taps.*} (RFC 9622 §3, §6): the system's event loops and resolver, the racing timers
 * (RFC 9623 §4.3), the performance cache (RFC 9623 §9.2) and path monitor (RFC 9622 §8.3.2), the named property profiles ({@code taps.profiles.<name>}, RFC 9622 §6.2 and
 * Appendix B.2) that Preconnections and {@code @TapsListener}s are built from, and how listener
 * handlers run.
 *
 * <p>Profile maps ({@code selection}, {@code connection}, {@code message}) take RFC 9622 property
 * names in any spelling taps accepts (C-20: {@code preserve-msg-boundaries},
 * {@code preserveMsgBoundaries}); they are checked at start-up, and a wrong name or value fails
 * start-up with the full key (see {@link TapsConfigurationException}). Every {@code taps.*} key of
 * every property source must be a property of this class (checked before binding; see
 * {@code TapsConfigurationKeys}), and {@code TAPS_*} environment variables reach dashed map keys in
 * both underscore forms ({@code TAPS_PROFILES_SECURE_SERVER_...}, {@code TAPS_PROFILES_SECURESERVER_...}).
 *
 * <p>Longer than 500 lines because it is the whole {@code taps.*} tree in one place: Boot's
 * configuration metadata processor reads keys, descriptions and defaults from the fields and
 * JavaBean accessors of this class and its nested classes, and {@code TapsKeySchema} reads the same
 * tree for the unknown-key check.
 */
@ConfigurationProperties("taps")
public class TapsProperties {

    /** Number of event loop threads. Defaults to the number of processors. */
    private @Nullable Integer eventLoopThreads;

    /** Whether to use Netty's native epoll transport when it is available. */
    private boolean nativeTransport = true;

    /**
     * DNS servers: host, host:port, IPv4:port or [IPv6]:port (port 53 when omitted; an IPv6 address
     * with a port must be bracketed). Defaults to the platform's servers.
     */
    private List<String> nameServers = new ArrayList<>();

    /** Hosts file to honour instead of the system's. Defaults to the system's hosts file. */
    private @Nullable String hostsFile;

    /** How long closing the Transport Services system waits for connections and event loops. A bare number is seconds. */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration shutdownTimeout = Duration.ofSeconds(5);

    private final Racing racing = new Racing();

    /** Proxies every Connection may go through unless its profile sets its own (RFC 9623 §4.1.2). */
    private final Proxies proxies = new Proxies();

    private final Cache cache = new Cache();

    /** How listener methods and clients convert Message payloads. */
    @NestedConfigurationProperty
    private final TapsConversionSettings conversion = new TapsConversionSettings();

    private final PathMonitor pathMonitor = new PathMonitor();

    private final Listener listener = new Listener();

    /** Settings per @TapsListener id, overriding the annotation's attributes. */
    private final Map<String, ListenerSettings> listeners = new LinkedHashMap<>();

    /** Clients by name (bean name and qualifier), each a profile plus the remote endpoint it talks to. */
    private final Map<String, TapsClientSettings> clients = new LinkedHashMap<>();

    /** Named property profiles. Built-in: reliable-inorder-stream, reliable-message, unreliable-datagram, secure-unreliable-datagram, default. */
    private final Map<String, Profile> profiles = new LinkedHashMap<>();

    /**
     * Options of built-in Message Framers by the name profiles list them under: length-prefix, line
     * and tlv change the built-ins, any other name defines a further framer of the given type.
     */
    private final Map<String, TapsFramerSettings> framers = new LinkedHashMap<>();

    public @Nullable Integer getEventLoopThreads() {
        return this.eventLoopThreads;
    }

    public void setEventLoopThreads(@Nullable Integer eventLoopThreads) {
        this.eventLoopThreads = eventLoopThreads;
    }

    public boolean isNativeTransport() {
        return this.nativeTransport;
    }

    public void setNativeTransport(boolean nativeTransport) {
        this.nativeTransport = nativeTransport;
    }

    public List<String> getNameServers() {
        return this.nameServers;
    }

    public void setNameServers(List<String> nameServers) {
        this.nameServers = nameServers;
    }

    public @Nullable String getHostsFile() {
        return this.hostsFile;
    }

    public void setHostsFile(@Nullable String hostsFile) {
        this.hostsFile = hostsFile;
    }

    public Duration getShutdownTimeout() {
        return this.shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public Racing getRacing() {
        return this.racing;
    }

    public Proxies getProxies() {
        return this.proxies;
    }

    public Cache getCache() {
        return this.cache;
    }

    public TapsConversionSettings getConversion() {
        return this.conversion;
    }

    public PathMonitor getPathMonitor() {
        return this.pathMonitor;
    }

    public Listener getListener() {
        return this.listener;
    }

    /** The performance cache of past establishments (RFC 9623 §9.2) that orders the next race. */
    public static class Cache {

        /** Most (remote address, local network) entries the performance cache keeps; 0 turns ranking by experience off. */
        private int performanceSize = 4096;

        /** How fast the performance cache forgets: success and failure counts halve once per half-life. A bare number is seconds. */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration performanceHalfLife = Duration.ofMinutes(10);

        public int getPerformanceSize() {
            return this.performanceSize;
        }

        public void setPerformanceSize(int performanceSize) {
            this.performanceSize = performanceSize;
        }

        public Duration getPerformanceHalfLife() {
            return this.performanceHalfLife;
        }

        public void setPerformanceHalfLife(Duration performanceHalfLife) {
            this.performanceHalfLife = performanceHalfLife;
        }
    }

    /** The path monitor that raises PathChange (RFC 9622 §8.3.2) when local interfaces change. */
    public static class PathMonitor {

        /** How often the local interfaces are polled; 0 turns the monitor off (paths are then read on demand). A bare number is seconds. */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration interval = Duration.ofSeconds(5);

        public Duration getInterval() {
            return this.interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }
    }

    public Map<String, Profile> getProfiles() {
        return this.profiles;
    }

    public Map<String, ListenerSettings> getListeners() {
        return this.listeners;
    }

    public Map<String, TapsFramerSettings> getFramers() {
        return this.framers;
    }

    public Map<String, TapsClientSettings> getClients() {
        return this.clients;
    }


    /** Settings of one {@code @TapsListener}, by id; each one set replaces the annotation's attribute. */
    public static class ListenerSettings {

        /** Property profile of the listener. */
        private @Nullable String profile;

        /** Local address or host to bind. */
        private @Nullable String host;

        /** Local port; 0 asks for an ephemeral port. */
        private @Nullable Integer port;

        /** Whether the listener starts with the application context. */
        private @Nullable Boolean autoStartup;

        /** Content type of the listener's Messages, which picks the converter of payloads and replies. */
        private @Nullable String contentType;

        /** Bean name of the listener's TapsListenerErrorHandler. */
        private @Nullable String errorHandler;

        public @Nullable String getContentType() {
            return this.contentType;
        }

        public void setContentType(@Nullable String contentType) {
            this.contentType = contentType;
        }

        public @Nullable String getErrorHandler() {
            return this.errorHandler;
        }

        public void setErrorHandler(@Nullable String errorHandler) {
            this.errorHandler = errorHandler;
        }

        public @Nullable String getProfile() {
            return this.profile;
        }

        public void setProfile(@Nullable String profile) {
            this.profile = profile;
        }

        public @Nullable String getHost() {
            return this.host;
        }

        public void setHost(@Nullable String host) {
            this.host = host;
        }

        public @Nullable Integer getPort() {
            return this.port;
        }

        public void setPort(@Nullable Integer port) {
            this.port = port;
        }

        public @Nullable Boolean getAutoStartup() {
            return this.autoStartup;
        }

        public void setAutoStartup(@Nullable Boolean autoStartup) {
            this.autoStartup = autoStartup;
        }
    }

    /**
     * Candidate racing timers and limits (RFC 9623 §4.3, {@link RacingConfig}); the defaults are
     * {@link RacingConfig#defaults()}'s, written out so the configuration metadata shows them. A bare
     * number is milliseconds.
     */
    public static class Racing {
        /** How long to wait for AAAA once A has answered (Happy Eyeballs Resolution Delay). */
        private Duration resolutionDelay = Duration.ofMillis(50);

        /** Stagger between attempts that differ in the remote address. */
        private Duration connectionAttemptDelay = Duration.ofMillis(250);

        /** Lower bound of every stagger; never below 10ms. */
        private Duration minimumAttemptDelay = Duration.ofMillis(100);

        /** Upper bound of every stagger. */
        private Duration maximumAttemptDelay = Duration.ofSeconds(2);

        /** Stagger between attempts on different local paths. Defaults to the connection attempt delay. */
        private @Nullable Duration pathDelay;

        /** Stagger between attempts with different protocol stacks. Defaults to the connection attempt delay. */
        private @Nullable Duration protocolDelay;

        /** Most attempts (leaves of the candidate tree) one establishment may have. */
        private int maxLeaves = 64;

        /** Most addresses kept per host name. */
        private int maxAddressesPerHost = 16;

        public Duration getResolutionDelay() {
            return this.resolutionDelay;
        }

        public void setResolutionDelay(Duration resolutionDelay) {
            this.resolutionDelay = resolutionDelay;
        }

        public Duration getConnectionAttemptDelay() {
            return this.connectionAttemptDelay;
        }

        public void setConnectionAttemptDelay(Duration connectionAttemptDelay) {
            this.connectionAttemptDelay = connectionAttemptDelay;
        }

        public Duration getMinimumAttemptDelay() {
            return this.minimumAttemptDelay;
        }

        public void setMinimumAttemptDelay(Duration minimumAttemptDelay) {
            this.minimumAttemptDelay = minimumAttemptDelay;
        }

        public Duration getMaximumAttemptDelay() {
            return this.maximumAttemptDelay;
        }

        public void setMaximumAttemptDelay(Duration maximumAttemptDelay) {
            this.maximumAttemptDelay = maximumAttemptDelay;
        }

        public @Nullable Duration getPathDelay() {
            return this.pathDelay;
        }

        public void setPathDelay(@Nullable Duration pathDelay) {
            this.pathDelay = pathDelay;
        }

        public @Nullable Duration getProtocolDelay() {
            return this.protocolDelay;
        }

        public void setProtocolDelay(@Nullable Duration protocolDelay) {
            this.protocolDelay = protocolDelay;
        }

        public int getMaxLeaves() {
            return this.maxLeaves;
        }

        public void setMaxLeaves(int maxLeaves) {
            this.maxLeaves = maxLeaves;
        }

        public int getMaxAddressesPerHost() {
            return this.maxAddressesPerHost;
        }

        public void setMaxAddressesPerHost(int maxAddressesPerHost) {
            this.maxAddressesPerHost = maxAddressesPerHost;
        }
    }

    /** How {@code @TapsListener} handler methods run. */
    public static class Listener {

        /**
         * Where handler methods run: auto (virtual threads when spring.threads.virtual.enabled is
         * true on JDK 21+, else the bounded platform pool), virtual, platform or event-loop (inline
         * in the connection's event; must not block).
         */
        private Execution execution = Execution.AUTO;

        /** Whether listeners start with the application context. */
        private boolean autoStartup = true;

        private final Pool pool = new Pool();

        public Pool getPool() {
            return this.pool;
        }

        /**
         * Port every listener binds instead of its own (annotation, profile or
         * taps.listeners.<id>.port); 0 binds each to an ephemeral port, read it with @LocalTapsPort
         * or local.taps.<id>.port. Set to 0 by default in tests with @TapsTest or
         * @SpringBootTest(webEnvironment = RANDOM_PORT).
         */
        private @Nullable Integer portOverride;

        public Execution getExecution() {
            return this.execution;
        }

        public void setExecution(Execution execution) {
            this.execution = execution;
        }

        public boolean isAutoStartup() {
            return this.autoStartup;
        }

        public void setAutoStartup(boolean autoStartup) {
            this.autoStartup = autoStartup;
        }

        public @Nullable Integer getPortOverride() {
            return this.portOverride;
        }

        public void setPortOverride(@Nullable Integer portOverride) {
            if (portOverride != null && (portOverride < 0 || portOverride > 65535)) {
                throw new IllegalArgumentException(
                        "taps.listener.port-override must be between 0 and 65535 (0 for ephemeral ports), not " + portOverride);
            }
            this.portOverride = portOverride;
        }
    }

    /**
     * The bounded pool of platform threads ({@code taps-handler-N}) that handlers run on with
     * platform execution. When every thread is busy and the queue is full, a Connection's next
     * Message waits at its Connection, which stops reading from the network until the pool has
     * room: backpressure instead of dropping Messages or growing without bound.
     */
    public static class Pool {

        /** Most handler threads. */
        private int maxSize = 200;

        /** Most handler tasks waiting for a thread; beyond it, Connections stop reading. */
        private int queueCapacity = 1000;

        /** How long an idle handler thread is kept. */
        private Duration keepAlive = Duration.ofSeconds(60);

        public int getMaxSize() {
            return this.maxSize;
        }

        public void setMaxSize(int maxSize) {
            this.maxSize = maxSize;
        }

        public int getQueueCapacity() {
            return this.queueCapacity;
        }

        public void setQueueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
        }

        public Duration getKeepAlive() {
            return this.keepAlive;
        }

        public void setKeepAlive(Duration keepAlive) {
            this.keepAlive = keepAlive;
        }
    }

    /** Where listener handler methods run. */
    public enum Execution {
        /**
         * Follows Spring Boot's threading: virtual threads when {@code spring.threads.virtual.enabled}
         * is true and the JVM offers them (JDK 21+), else the bounded platform pool.
         */
        AUTO,
        /** A virtual thread per handled message; start-up fails on a JVM without virtual threads. */
        VIRTUAL,
        /** The bounded pool of daemon platform threads ({@code taps.listener.pool.*}). */
        PLATFORM,
        /** Inline in the connection's event, on its event loop: the handler must never block. */
        EVENT_LOOP
    }

    /** A named property profile: everything a Preconnection needs except what the caller adds. */
    public static class Profile {

        /** Profile whose values this one starts from (a built-in or another named profile). */
        private @Nullable String base;

        /** Selection Properties by RFC 9622 name: require, prefer, no-preference, avoid, prohibit, or a value. */
        private Map<String, String> selection = new LinkedHashMap<>();

        /** Connection Properties by RFC 9622 name, for example conn-timeout: 5s. */
        private Map<String, String> connection = new LinkedHashMap<>();

        /** Default Message Properties by RFC 9622 name, for example msg-lifetime: 2s. */
        private Map<String, String> message = new LinkedHashMap<>();

        /** Comma-separated list of framer names, the first nearest the application. */
        private List<String> framers = new ArrayList<>();

        /** Content type of the Messages of @TapsListener methods with this profile (for example application/json), which picks the converter of payloads and replies; a listener's contentType attribute wins. Unset keeps the base profile's, else the converters decide by the Java type. */
        private @Nullable String contentType;

        private final Security security = new Security();

        private final Endpoint local = new Endpoint();

        private final Endpoint remote = new Endpoint();

        /** Proxies of Preconnections built from this profile; unset keys keep the base profile's, else taps.proxies. */
        private final Proxies proxies = new Proxies();

        public @Nullable String getBase() {
            return this.base;
        }

        public void setBase(@Nullable String base) {
            this.base = base;
        }

        public Map<String, String> getSelection() {
            return this.selection;
        }

        public void setSelection(Map<String, String> selection) {
            this.selection = selection;
        }

        public Map<String, String> getConnection() {
            return this.connection;
        }

        public void setConnection(Map<String, String> connection) {
            this.connection = connection;
        }

        public Map<String, String> getMessage() {
            return this.message;
        }

        public void setMessage(Map<String, String> message) {
            this.message = message;
        }

        public List<String> getFramers() {
            return this.framers;
        }

        public @Nullable String getContentType() {
            return this.contentType;
        }

        public void setContentType(@Nullable String contentType) {
            this.contentType = contentType;
        }

        public void setFramers(List<String> framers) {
            this.framers = framers;
        }

        public Security getSecurity() {
            return this.security;
        }

        public Endpoint getLocal() {
            return this.local;
        }

        public Endpoint getRemote() {
            return this.remote;
        }

        public Proxies getProxies() {
            return this.proxies;
        }
    }

    /**
     * Proxies a Connection may be established through and how they race the direct path (RFC 9623
     * §4.1.2 protocol options, {@link io.taps.ProxyConfig}): {@code taps.proxies} for the whole
     * system, {@code taps.profiles.<name>.proxies} per profile.
     */
    public static class Proxies {
        /** direct, proxy (only through the proxies) or race (proxies first, direct one delay later). Defaults to race when a proxy or system is set, else direct. */
        private io.taps.ProxyConfig.@Nullable Policy policy;

        /** Stagger between a proxy branch and the branch after it; at least 10ms. Defaults to 250ms. A bare number is milliseconds. */
        private @Nullable Duration delay;

        /** Whether to also use the JVM's ProxySelector (socksProxyHost, https.proxyHost, http.nonProxyHosts, java.net.useSystemProxies). Defaults to false. */
        private @Nullable Boolean system;

        /** Proxies by name, in race order. */
        private Map<String, ProxyServerSettings> servers = new LinkedHashMap<>();

        public io.taps.ProxyConfig.@Nullable Policy getPolicy() {
            return this.policy;
        }

        public void setPolicy(io.taps.ProxyConfig.@Nullable Policy policy) {
            this.policy = policy;
        }

        public @Nullable Duration getDelay() {
            return this.delay;
        }

        public void setDelay(@Nullable Duration delay) {
            this.delay = delay;
        }

        public @Nullable Boolean getSystem() {
            return this.system;
        }

        public void setSystem(@Nullable Boolean system) {
            this.system = system;
        }

        public Map<String, ProxyServerSettings> getServers() {
            return this.servers;
        }

        public void setServers(Map<String, ProxyServerSettings> servers) {
            this.servers = servers;
        }

        boolean isConfigured() {
            return this.policy != null || this.delay != null || this.system != null || !this.servers.isEmpty();
        }
    }

    /** One proxy ({@link io.taps.ProxyServer}). */
    public static class ProxyServerSettings {
        /** socks5 or http-connect. */
        private io.taps.ProxyServer.@Nullable Type type;

        /** The proxy's host name or IP literal. */
        private @Nullable String host;

        /** The proxy's port. */
        private @Nullable Integer port;

        /** Username for SOCKS5 (RFC 1929) or HTTP Basic authentication. */
        private @Nullable String username;

        /** Password for SOCKS5 or HTTP Basic authentication. */
        private @Nullable String password;

        /** Whether the proxy resolves the destination's name (sent unresolved); false resolves it locally. */
        private boolean resolvesNames = true;

        public io.taps.ProxyServer.@Nullable Type getType() {
            return this.type;
        }

        public void setType(io.taps.ProxyServer.@Nullable Type type) {
            this.type = type;
        }

        public @Nullable String getHost() {
            return this.host;
        }

        public void setHost(@Nullable String host) {
            this.host = host;
        }

        public @Nullable Integer getPort() {
            return this.port;
        }

        public void setPort(@Nullable Integer port) {
            this.port = port;
        }

        public @Nullable String getUsername() {
            return this.username;
        }

        public void setUsername(@Nullable String username) {
            this.username = username;
        }

        public @Nullable String getPassword() {
            return this.password;
        }

        public void setPassword(@Nullable String password) {
            this.password = password;
        }

        public boolean isResolvesNames() {
            return this.resolvesNames;
        }

        public void setResolvesNames(boolean resolvesNames) {
            this.resolvesNames = resolvesNames;
        }
    }

    /** Security Parameters of a profile (RFC 9622 §6.3). */
    public static class Security {

        /**
         * Whether to use TLS (default true: secure by default, RFC 9622 §6.3). False makes the profile
         * cleartext; without an SSL bundle TLS verifies peers against the system trust store.
         */
        private @Nullable Boolean enabled;

        /** Name of a spring.ssl.bundle.* bundle: its key store gives the identities, its trust store the trust anchors. */
        private @Nullable String sslBundle;

        /** Comma-separated list of ALPN protocol names, in preference order. */
        private List<String> alpn = new ArrayList<>();

        /**
         * Whether a listener asks clients for a certificate, in Spring Boot's words: none, want
         * (ask, accept without) or need (ask, fail without). The older optional and require are
         * accepted as deprecated aliases of want and need (a warning is logged).
         */
        private @Nullable ClientAuth clientAuth;

        /** Server name to send (SNI) and to verify instead of the remote host name. */
        private @Nullable String serverName;

        public @Nullable Boolean getEnabled() {
            return this.enabled;
        }

        public void setEnabled(@Nullable Boolean enabled) {
            this.enabled = enabled;
        }

        public @Nullable String getSslBundle() {
            return this.sslBundle;
        }

        public void setSslBundle(@Nullable String sslBundle) {
            this.sslBundle = sslBundle;
        }

        public List<String> getAlpn() {
            return this.alpn;
        }

        public void setAlpn(List<String> alpn) {
            this.alpn = alpn;
        }

        public @Nullable ClientAuth getClientAuth() {
            return this.clientAuth;
        }

        public void setClientAuth(@Nullable ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
        }

        public @Nullable String getServerName() {
            return this.serverName;
        }

        public void setServerName(@Nullable String serverName) {
            this.serverName = serverName;
        }

        boolean isConfigured() {
            return this.enabled != null || this.sslBundle != null || !this.alpn.isEmpty() || this.clientAuth != null
                    || this.serverName != null;
        }
    }

    /**
     * Client certificate request of a listener (RFC 9622 §6.3), in the words of Boot's
     * {@code server.ssl.client-auth}; {@code optional} and {@code require}, the words of earlier taps
     * versions, still bind.
     */
    public enum ClientAuth {
        /** The listener does not ask for a client certificate. */
        NONE(ClientAuthentication.NONE),
        /** The listener asks; a client without a certificate is still accepted. */
        WANT(ClientAuthentication.OPTIONAL),
        /** The listener asks and fails the handshake without a trusted client certificate. */
        NEED(ClientAuthentication.REQUIRE),
        /** Earlier spelling of {@link #WANT}. */
        @Deprecated(since = "0.2")
        OPTIONAL(ClientAuthentication.OPTIONAL),
        /** Earlier spelling of {@link #NEED}. */
        @Deprecated(since = "0.2")
        REQUIRE(ClientAuthentication.REQUIRE);

        private final ClientAuthentication clientAuthentication;

        ClientAuth(ClientAuthentication clientAuthentication) {
            this.clientAuthentication = clientAuthentication;
        }

        /** The core's value. */
        public ClientAuthentication clientAuthentication() {
            return this.clientAuthentication;
        }

        /** The Boot word this value is spelled as today. */
        @SuppressWarnings("deprecation")
        public ClientAuth current() {
            return this == OPTIONAL ? WANT : this == REQUIRE ? NEED : this;
        }
    }

    /** A local or remote endpoint of a profile (RFC 9622 §6.1). */
    public static class Endpoint {

        /** Host name or IP address literal. */
        private @Nullable String host;

        /** Port; 0 on a local endpoint asks for an ephemeral port. */
        private @Nullable Integer port;

        /** Network interface name, for example eth0. */
        private @Nullable String interfaceName;

        public @Nullable String getHost() {
            return this.host;
        }

        public void setHost(@Nullable String host) {
            this.host = host;
        }

        public @Nullable Integer getPort() {
            return this.port;
        }

        public void setPort(@Nullable Integer port) {
            this.port = port;
        }

        public @Nullable String getInterfaceName() {
            return this.interfaceName;
        }

        public void setInterfaceName(@Nullable String interfaceName) {
            this.interfaceName = interfaceName;
        }

        boolean isConfigured() {
            return this.host != null || this.port != null || this.interfaceName != null;
        }
    }
}

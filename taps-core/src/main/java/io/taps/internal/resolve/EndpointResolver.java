package io.taps.internal.resolve;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.resolver.HostsFileEntriesProvider;
import io.netty.resolver.InetNameResolver;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.path.SystemInterfaces;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Resolves {@link RemoteEndpoint}s and {@link LocalEndpoint}s into socket addresses, late and
 * asynchronously as RFC 9622 §6.1 and C-11 require (RFC 9623 §4.2 candidate gathering; checklist
 * C-11, A-02, EP-01, EP-02, M-75).
 *
 * <p><b>Order of sources for a host name.</b> (1) The hosts file, when enabled: a name found there
 * never goes to DNS, even when the file lists only one family, because an administrator who pins a
 * name expects exactly those addresses. (2) {@code localhost} and {@code *.localhost} always mean
 * loopback (RFC 6761 §6.3) and never go to DNS. (3) DNS through Netty's resolver: AAAA and A are
 * queried in parallel on two single-family resolvers so that each family succeeds or fails on its
 * own.
 *
 * <p><b>Failure rule.</b> {@link #resolve(RemoteEndpoint)} waits for both families. A family whose
 * query fails (NXDOMAIN, no records, or no answer within {@link ResolverConfig#queryTimeout()}) is
 * left out; the stage fails with {@link ErrorReason#RESOLUTION_FAILED} only when neither family
 * produced an address. Racing code that wants to start on the first family (Happy Eyeballs
 * resolution delay) uses {@link #resolve(RemoteEndpoint, StandardProtocolFamily)} per family.
 *
 * <p><b>Ordering and cap.</b> Addresses are interleaved IPv6 first, then IPv4, alternating (the
 * RFC 8305 §4 default with a first-family count of 1), duplicates removed, and the list cut at
 * {@link ResolverConfig#maxAddressesPerHost()} after interleaving so that both families survive
 * the cut.
 *
 * <p><b>Cache.</b> DNS answers are kept for their TTL by Netty's {@code DefaultDnsCache}, one per
 * family, counted by {@link CountingDnsCache} ({@link #cachedAnswers()}, RFC 9623 §9.1, M-65).
 * {@link #resolve(RemoteEndpoint, StandardProtocolFamily, boolean)} without the cache uses
 * resolvers with Netty's no-op caches, built on first use (isolateSession, M-66).
 *
 * <p><b>DNS on demand.</b> Netty's resolvers ({@link DnsResolvers}) are built on the first question
 * that needs DNS, on the executor given for blocking work, since building reads resolv.conf: a
 * system that only uses address literals, the hosts file and {@code localhost} never builds them,
 * and {@link #close()} releases only what was built.
 *
 * <p>Resolution never blocks the calling thread or the event loop; stages complete on the event
 * loop. The constructor reads the hosts file and so must not run on an event loop.
 *
 * <p>Longer than 500 lines because: one resolution of an Endpoint is one flow (hosts file, A and AAAA
 * interleaving, caps, DNS cache, name-server overrides) whose steps share its state; split, each
 * part would need the whole of it.
 */
public final class EndpointResolver implements AutoCloseable {

    private final ResolverConfig config;
    private final Map<String, List<InetAddress>> hostsV4;
    private final Map<String, List<InetAddress>> hostsV6;
    private final boolean noNameServer;
    /**
     * Netty's DNS resolvers, built on the first DNS question: a system that only uses address
     * literals, the hosts file and {@code localhost} never builds them (issue 21).
     */
    private final DnsOnDemand dns;
    private volatile boolean closed;
    /** Counted for tests ({@link #fixedAnswersMade()}). */
    private final java.util.concurrent.atomic.AtomicLong fixedAnswersMade = new java.util.concurrent.atomic.AtomicLong();
    /** Counted for tests ({@link #configuredLookups()}). */
    private final java.util.concurrent.atomic.AtomicLong configuredLookups = new java.util.concurrent.atomic.AtomicLong();
    /** Where interface names are looked up; null reads the system directly (standalone use in tests). */
    private volatile SystemInterfaces interfaces;

    public EndpointResolver(EventLoop eventLoop,
            ChannelFactory<? extends DatagramChannel> datagramChannelFactory, ResolverConfig config) {
        this(eventLoop, datagramChannelFactory, null, config);
    }

    /**
     * A resolver that builds its DNS resolvers on the common fork-join pool (standalone use).
     *
     * @param socketChannelFactory used for the TCP retry of truncated answers; {@code null} keeps
     *     resolution UDP-only
     */
    public EndpointResolver(EventLoop eventLoop,
            ChannelFactory<? extends DatagramChannel> datagramChannelFactory,
            ChannelFactory<? extends SocketChannel> socketChannelFactory, ResolverConfig config) {
        this(eventLoop, datagramChannelFactory, socketChannelFactory, config,
                java.util.concurrent.ForkJoinPool.commonPool());
    }

    /**
     * @param socketChannelFactory used for the TCP retry of truncated answers; {@code null} keeps
     *     resolution UDP-only
     * @param dnsSetup runs the building of the DNS resolvers on the first DNS question (it reads
     *     {@code /etc/resolv.conf}): an executor for blocking work, never an event loop
     */
    public EndpointResolver(EventLoop eventLoop,
            ChannelFactory<? extends DatagramChannel> datagramChannelFactory,
            ChannelFactory<? extends SocketChannel> socketChannelFactory, ResolverConfig config, Executor dnsSetup) {
        Objects.requireNonNull(eventLoop, "eventLoop");
        Objects.requireNonNull(datagramChannelFactory, "datagramChannelFactory");
        this.config = Objects.requireNonNull(config, "config");

        // Configuration is read here, on the caller's thread: a bad hosts file fails the build at
        // once, and the hosts file and localhost answer synchronously on any thread afterwards.
        HostsFileEntriesProvider hosts = config.useHostsFile() ? readHostsFile(config) : null;
        this.hostsV4 = hosts == null ? Map.of() : hosts.ipv4Entries();
        this.hostsV6 = hosts == null ? Map.of() : hosts.ipv6Entries();

        List<InetSocketAddress> configured = config.nameServers().isEmpty()
                ? systemNameServers(config.resolvConf().orElse(java.nio.file.Path.of("/etc/resolv.conf")))
                : config.nameServers();
        this.noNameServer = configured.isEmpty();
        List<InetSocketAddress> nameServers = List.copyOf(configured);
        this.dns = new DnsOnDemand(() -> new DnsResolvers(eventLoop, datagramChannelFactory, socketChannelFactory,
                config, nameServers), Objects.requireNonNull(dnsSetup, "dnsSetup"));
    }

    /**
     * The {@code nameserver} lines of a resolv.conf (resolv.conf(5)); a missing file has none. A
     * server given as {@code address%zone} keeps its zone.
     */
    static List<InetSocketAddress> systemNameServers(java.nio.file.Path resolvConf) {
        List<InetSocketAddress> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(resolvConf, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return out;
        }
        for (String line : lines) {
            String[] words = line.trim().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver")
                    && io.netty.util.NetUtil.isValidIpV4Address(words[1].split("%")[0])
                    || words.length >= 2 && words[0].equals("nameserver")
                    && io.netty.util.NetUtil.isValidIpV6Address(words[1])) {
                try {
                    out.add(new InetSocketAddress(InetAddress.getByName(words[1]), 53));
                } catch (UnknownHostException ignored) {
                    // not an address literal after all: skip it like the C library does
                }
            }
        }
        return out;
    }

    private static HostsFileEntriesProvider readHostsFile(ResolverConfig config) {
        if (config.hostsFile().isEmpty()) {
            // A machine without a hosts file simply has no entries; that is not a misconfiguration.
            return HostsFileEntriesProvider.parser().parseSilently();
        }
        java.nio.file.Path file = config.hostsFile().get();
        // Netty's parser treats a missing file as empty; an explicitly named file that is not
        // there is a typo worth reporting rather than a silent fall-through to DNS.
        if (!java.nio.file.Files.isRegularFile(file) || !java.nio.file.Files.isReadable(file)) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "cannot read hosts file " + file + ": not a readable file");
        }
        try {
            return HostsFileEntriesProvider.parser().parse(config.hostsFile().get().toFile(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "cannot read hosts file " + config.hostsFile().get() + ": " + e.getMessage(), e);
        }
    }

    /** The configuration this resolver was built with. */
    public ResolverConfig config() {
        return config;
    }

    /**
     * The addresses to try for a remote endpoint, in connection order. An IP address is returned
     * at once without DNS (scoped to the endpoint's interface when it is link-local, EP-02); a
     * host name goes through the hosts file and DNS as described on the class. The port is
     * {@link RemoteEndpoint#effectivePort()}.
     *
     * <p>Fails with {@link ErrorReason#RESOLUTION_FAILED} when the name yields no address or the
     * interface does not exist, and with {@link ErrorReason#INVALID_CONFIGURATION} when the endpoint
     * has no port.
     */
    public CompletionStage<List<InetSocketAddress>> resolve(RemoteEndpoint remote) {
        return resolve(remote, null);
    }

    /**
     * Like {@link #resolve(RemoteEndpoint)}, restricted to one address family; an empty list means
     * the family has no addresses where the other might. This is the per-family stream that Happy
     * Eyeballs racing (resolution delay) consumes. A family of {@code null} means both.
     */
    public CompletionStage<List<InetSocketAddress>> resolve(RemoteEndpoint remote,
            StandardProtocolFamily family) {
        return resolve(remote, family, true);
    }

    /**
     * Like {@link #resolve(RemoteEndpoint, StandardProtocolFamily)}; with {@code useCache} false no
     * cached DNS answer is used and none is kept (isolateSession, RFC 9623 §9.1, M-66). The hosts
     * file and {@code localhost} still apply: they are configuration, not cached state.
     */
    public CompletionStage<List<InetSocketAddress>> resolve(RemoteEndpoint remote,
            StandardProtocolFamily family, boolean useCache) {
        Objects.requireNonNull(remote, "remote");
        int port = remote.effectivePort();
        if (port == 0) {
            return CompletableFuture.failedFuture(new TransportServicesException(
                    ErrorReason.INVALID_CONFIGURATION, "remote endpoint " + remote
                    + " has no port and no known service"));
        }
        String scope = remote.interfaceName().orElse(null);
        if (remote.ipAddress().isPresent()) {
            InetAddress ip = remote.ipAddress().get();
            if (!matches(ip, family)) {
                return CompletableFuture.completedFuture(List.of());
            }
            return withPort(List.of(ip), port, scope);
        }
        String name = remote.hostName().orElseThrow();
        return resolveName(name, family, useCache).thenCompose(addresses -> withPort(addresses, port, scope));
    }

    /**
     * What configuration alone answers for {@code remote}, or null when answering takes a lookup
     * (DNS, or an interface for a link-local zone): an IP address literal, or a name the hosts file
     * or the {@code localhost} rule maps (the answers {@link #resolve(RemoteEndpoint,
     * StandardProtocolFamily, boolean)} completes at once, per family, in the same order and cap).
     * The hosts file is read once, when this resolver is built, and configuration is not cached
     * state, so an answer holds for this resolver's lifetime and for every cache scope: a
     * Preconnection keeps it for all its Initiates instead of resolving the name per Connection
     * (issue 21 item 1). A DNS answer is never fixed: it has a TTL, which the DNS cache honours.
     */
    public FixedAnswer fixedAnswer(RemoteEndpoint remote) {
        Objects.requireNonNull(remote, "remote");
        int port = remote.effectivePort();
        if (port == 0) {
            return null;
        }
        String scope = remote.interfaceName().orElse(null);
        if (remote.ipAddress().isPresent()) {
            InetAddress ip = remote.ipAddress().get();
            if (scope != null && needsZone(ip)) {
                return null;
            }
            List<InetSocketAddress> address = withZone(List.of(ip), port, null);
            if (remote.hostName().isPresent()) {
                // Named and addressed: establishment asks per family and reports both answers.
                boolean six = ip instanceof Inet6Address;
                return new FixedAnswer(remote.hostName().get(), six ? address : List.of(), six ? List.of() : address,
                        remote.hostName().get());
            }
            return new FixedAnswer(null, address, List.of(), ip.getHostAddress());
        }
        if (remote.hostName().isEmpty()) {
            return null;
        }
        String name = remote.hostName().get();
        String key = normalize(name);
        List<InetAddress> v6 = configured(key, true);
        List<InetAddress> v4 = configured(key, false);
        if (v6.isEmpty() && v4.isEmpty()) {
            return null;
        }
        List<InetAddress> six = cap(interleave(v6, List.of()));
        List<InetAddress> four = cap(interleave(List.of(), v4));
        for (InetAddress a : six) {
            if (scope != null && needsZone(a)) {
                return null;
            }
        }
        fixedAnswersMade.incrementAndGet();
        return new FixedAnswer(name, withZone(six, port, null), withZone(four, port, null), name);
    }

    /**
     * {@link #fixedAnswer} of each of {@code remotes}, in their order (null entries where a lookup
     * is needed): what a Preconnection snapshot keeps for all its Initiates.
     */
    public List<FixedAnswer> fixedAnswers(List<RemoteEndpoint> remotes) {
        List<FixedAnswer> answers = new ArrayList<>(remotes.size());
        for (RemoteEndpoint remote : remotes) {
            answers.add(fixedAnswer(remote));
        }
        return Collections.unmodifiableList(answers);
    }

    /**
     * Addresses configuration gives for one RemoteEndpoint ({@link #fixedAnswer}).
     *
     * @param name the host name as the endpoint gave it, or null for an IP address literal
     * @param v6 the AAAA answer in connection order (for a literal: its one address, whatever its family)
     * @param v4 the A answer in connection order (empty for a literal)
     * @param peerName the name TLS verifies: the host name, else the literal's text (formatted once
     *     per snapshot, not per Initiate)
     */
    public record FixedAnswer(String name, List<InetSocketAddress> v6, List<InetSocketAddress> v4, String peerName) {
    }

    /** Host-name answers {@link #fixedAnswer} made from configuration: one per Preconnection snapshot, not per Initiate. */
    public long fixedAnswersMade() {
        return fixedAnswersMade.get();
    }

    /** Names {@link #resolve(RemoteEndpoint, StandardProtocolFamily, boolean)} answered from configuration, per family asked. */
    public long configuredLookups() {
        return configuredLookups.get();
    }

    /** Whether {@link #close()} ran: nothing resolves any more, not even from configuration. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Looks interface names up in {@code source}'s snapshot, read off the event loop, instead of
     * asking the system on the calling thread (nothing blocks an event loop).
     */
    public EndpointResolver interfaces(SystemInterfaces source) {
        this.interfaces = Objects.requireNonNull(source, "source");
        return this;
    }

    /**
     * The HTTPS record of a remote endpoint (RFC 9460 §9; draft-ietf-happy-happyeyeballs-v3 asks it
     * beside AAAA and A): an IP address, a name from the hosts file or {@code localhost} has none
     * and asks nothing; a failed or timed-out query completes as "no record", never exceptionally.
     * With {@code useCache} false no cached answer is used and none is kept (isolateSession).
     */
    public CompletionStage<ServiceLookup> serviceBinding(RemoteEndpoint remote, boolean useCache) {
        Objects.requireNonNull(remote, "remote");
        int port = remote.effectivePort();
        if (remote.hostName().isEmpty() || port == 0) {
            return CompletableFuture.completedFuture(ServiceLookup.none(""));
        }
        String name = remote.hostName().get();
        String key = normalize(name);
        if (closed || noNameServer || hostsV4.containsKey(key) || hostsV6.containsKey(key)
                || key.equals("localhost") || key.endsWith(".localhost")) {
            return CompletableFuture.completedFuture(ServiceLookup.none(ServiceBindingResolver.queryName(name, port)));
        }
        String qname = ServiceBindingResolver.queryName(name, port);
        return dns.get().thenCompose(resolvers -> resolvers.services.lookUp(name, port, useCache))
                .exceptionally(noResolvers -> ServiceLookup.none(qname));
    }

    /** How many DNS answers are cached, counted per (name, address family) (Q-18, M-65). */
    public int cachedAnswers() {
        DnsResolvers resolvers = dns.ifBuilt();
        return resolvers == null ? 0 : resolvers.cachedAnswers();
    }

    /** Forgets every cached DNS answer. */
    public void clearCache() {
        DnsResolvers resolvers = dns.ifBuilt();
        if (resolvers != null) {
            resolvers.clearCache();
        }
    }

    /**
     * The addresses to bind a local endpoint to (EP-01, EP-02). An IP address is used as it is; a
     * host name is resolved like a remote one and, when an interface is also given, narrowed to
     * that interface's addresses; an interface alone gives all of its addresses; nothing gives the
     * wildcard address (one dual-stack socket address, so that a listener binds once). The port is
     * {@link LocalEndpoint#effectivePort()}, 0 meaning ephemeral. A multicast group is joined after
     * binding and does not change the bind address.
     *
     * <p>Fails with {@link ErrorReason#RESOLUTION_FAILED} naming the interface when it does not
     * exist or has no address, or the host name when it cannot be resolved.
     */
    public CompletionStage<List<InetSocketAddress>> resolve(LocalEndpoint local) {
        Objects.requireNonNull(local, "local");
        int port = local.effectivePort();
        String ifName = local.interfaceName().orElse(null);
        if (local.ipAddress().isPresent()) {
            return withPort(List.of(local.ipAddress().get()), port, ifName);
        }
        if (local.hostName().isPresent()) {
            String name = local.hostName().get();
            return resolveName(name, null).thenCompose(addresses -> {
                if (ifName == null) {
                    return withPort(addresses, port, null);
                }
                return interfaceAddresses(ifName).thenCompose(onInterface -> {
                    List<InetAddress> kept = new ArrayList<>();
                    for (InetAddress a : addresses) {
                        for (InetAddress b : onInterface) {
                            if (java.util.Arrays.equals(a.getAddress(), b.getAddress())) {
                                kept.add(b);
                            }
                        }
                    }
                    if (kept.isEmpty()) {
                        return CompletableFuture.failedFuture(failure("could not resolve " + name
                                + ": none of " + addresses + " is on interface " + ifName, null));
                    }
                    return withPort(kept, port, null);
                });
            });
        }
        if (ifName != null) {
            return interfaceAddresses(ifName).thenCompose(onInterface -> withPort(interleave(onInterface), port, null));
        }
        return CompletableFuture.completedFuture(List.of(new InetSocketAddress(port)));
    }

    private CompletionStage<List<InetAddress>> interfaceAddresses(String ifName) {
        return lookUpInterface(ifName).thenCompose(nif -> {
            if (nif == null) {
                return CompletableFuture.failedFuture(failure("could not resolve interface " + ifName
                        + ": no such interface", null));
            }
            if (nif.addresses().isEmpty()) {
                return CompletableFuture.failedFuture(failure("could not resolve interface " + ifName
                        + ": it has no IP address", null));
            }
            return CompletableFuture.completedFuture(nif.addresses());
        });
    }

    /**
     * The interface called {@code name}, or null: from the snapshot (read off the loop) when there
     * is one, else from the system on this thread.
     */
    private CompletionStage<SystemInterfaces.Interface> lookUpInterface(String name) {
        SystemInterfaces source = interfaces;
        if (source != null) {
            return source.current().thenApply(snapshot -> snapshot.named(name).orElse(null));
        }
        try {
            NetworkInterface nif = NetworkInterface.getByName(name);
            return CompletableFuture.completedFuture(nif == null ? null : new SystemInterfaces.Interface(nif.getName(),
                    nif.getIndex(), nif.isUp(), Collections.list(nif.getInetAddresses())));
        } catch (SocketException e) {
            return CompletableFuture.failedFuture(failure("could not resolve interface " + name + ": "
                    + e.getMessage(), e));
        }
    }

    /** Host name to addresses, hosts file first; the family filter is {@code null} for both. */
    private CompletionStage<List<InetAddress>> resolveName(String name, StandardProtocolFamily family) {
        return resolveName(name, family, true);
    }

    private CompletionStage<List<InetAddress>> resolveName(String name, StandardProtocolFamily family,
            boolean useCache) {
        if (closed) {
            return CompletableFuture.failedFuture(failure("could not resolve " + name
                    + ": the resolver is closed", null));
        }
        String key = normalize(name);
        List<InetAddress> v6 = configured(key, true);
        List<InetAddress> v4 = configured(key, false);
        if (!v6.isEmpty() || !v4.isEmpty()) {
            configuredLookups.incrementAndGet();
            return CompletableFuture.completedFuture(cap(interleave(
                    family == StandardProtocolFamily.INET ? List.of() : v6,
                    family == StandardProtocolFamily.INET6 ? List.of() : v4)));
        }
        if (family == StandardProtocolFamily.INET6) {
            return query(true, useCache, name).thenApply(this::cap);
        }
        if (family == StandardProtocolFamily.INET) {
            return query(false, useCache, name).thenApply(this::cap);
        }
        CompletableFuture<List<InetAddress>> aaaa = query(true, useCache, name);
        CompletableFuture<List<InetAddress>> a = query(false, useCache, name);
        return aaaa.handle((r, e) -> r == null ? List.<InetAddress>of() : r)
                .thenCombine(a.handle((r, e) -> r == null ? List.<InetAddress>of() : r),
                        (six, four) -> cap(interleave(six, four)))
                .thenCompose(result -> {
                    if (!result.isEmpty()) {
                        return CompletableFuture.completedFuture(result);
                    }
                    Throwable why6 = causeOf(aaaa);
                    Throwable why4 = causeOf(a);
                    TransportServicesException failure = failure("could not resolve " + name + ": A: "
                            + describe(why4) + "; AAAA: " + describe(why6), why4);
                    if (why6 != null) {
                        failure.addSuppressed(why6);
                    }
                    return CompletableFuture.failedFuture(failure);
                });
    }

    /** One family's DNS answer for {@code name}, through the cached resolvers or the uncached ones. */
    private CompletableFuture<List<InetAddress>> query(boolean v6, boolean useCache, String name) {
        if (noNameServer) {
            return CompletableFuture.failedFuture(failure("could not resolve " + name + ": it is not in the hosts"
                    + " file and no DNS server is configured (" + config.resolvConf().map(Object::toString)
                    .orElse("/etc/resolv.conf") + " names none); taps does not fall back to public DNS servers", null));
        }
        DnsResolvers built = dns.ifBuilt();
        if (built != null) {
            return query(built.resolver(v6, useCache), name);
        }
        // The first question waits for the resolvers being built off the loop; its answer still
        // arrives from Netty's resolver on the event loop like every later one.
        return dns.get().handle((resolvers, notBuilt) -> notBuilt == null
                ? query(resolvers.resolver(v6, useCache), name)
                : CompletableFuture.<List<InetAddress>>failedFuture(failure("could not resolve " + name + ": "
                        + describe(unwrap(notBuilt)), unwrap(notBuilt))))
                .thenCompose(answer -> answer);
    }

    private CompletableFuture<List<InetAddress>> query(InetNameResolver resolver, String name) {
        CompletableFuture<List<InetAddress>> result = new CompletableFuture<>();
        resolver.resolveAll(name).addListener(f -> {
            if (f.isSuccess()) {
                @SuppressWarnings("unchecked")
                List<InetAddress> addresses = (List<InetAddress>) f.getNow();
                result.complete(addresses);
            } else {
                result.completeExceptionally(f.cause());
            }
        });
        return result.exceptionallyCompose(e -> CompletableFuture.failedFuture(
                failure("could not resolve " + name + ": " + describe(e), e)));
    }

    private static Throwable causeOf(CompletableFuture<?> future) {
        try {
            future.join();
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            Throwable t = e.getCause();
            // Unwrap our own wrapper so the message names Netty's reason, not ours twice.
            return t instanceof TransportServicesException && t.getCause() != null ? t.getCause() : t;
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "no addresses";
        }
        if (t instanceof UnknownHostException && t.getMessage() != null) {
            return t.getMessage();
        }
        String message = t.getMessage();
        return message == null ? t.getClass().getSimpleName() : message;
    }

    private static boolean matches(InetAddress ip, StandardProtocolFamily family) {
        return family == null
                || (family == StandardProtocolFamily.INET && ip instanceof Inet4Address)
                || (family == StandardProtocolFamily.INET6 && ip instanceof Inet6Address);
    }

    private static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private List<InetAddress> cap(List<InetAddress> addresses) {
        int max = config.maxAddressesPerHost();
        return addresses.size() <= max ? addresses : List.copyOf(addresses.subList(0, max));
    }

    /** Splits by family, then interleaves IPv6 first; duplicates go. */
    static List<InetAddress> interleave(List<InetAddress> mixed) {
        List<InetAddress> six = new ArrayList<>();
        List<InetAddress> four = new ArrayList<>();
        for (InetAddress a : mixed) {
            (a instanceof Inet6Address ? six : four).add(a);
        }
        return interleave(six, four);
    }

    /** RFC 8305 §4 interleaving with a first-family count of 1: v6, v4, v6, v4, ... then the rest. */
    static List<InetAddress> interleave(List<InetAddress> six, List<InetAddress> four) {
        LinkedHashSet<InetAddress> out = new LinkedHashSet<>();
        int n = Math.max(six.size(), four.size());
        for (int i = 0; i < n; i++) {
            if (i < six.size()) {
                out.add(six.get(i));
            }
            if (i < four.size()) {
                out.add(four.get(i));
            }
        }
        return List.copyOf(out);
    }

    /**
     * Attaches the port, and the interface as scope zone to link-local IPv6 addresses, since
     * without a zone the kernel cannot tell which link {@code fe80::1} is on (EP-02).
     */
    private CompletionStage<List<InetSocketAddress>> withPort(List<InetAddress> addresses, int port, String scope) {
        boolean needsZone = false;
        for (InetAddress a : addresses) {
            needsZone |= scope != null && needsZone(a);
        }
        if (!needsZone) {
            return CompletableFuture.completedFuture(withZone(addresses, port, null));
        }
        return lookUpInterface(scope).thenCompose(nif -> {
            if (nif == null) {
                return CompletableFuture.failedFuture(failure("could not resolve interface " + scope + " for "
                        + addresses + ": no such interface", null));
            }
            return CompletableFuture.completedFuture(withZone(addresses, port, nif));
        });
    }

    private static boolean needsZone(InetAddress a) {
        return a instanceof Inet6Address v6 && v6.getScopedInterface() == null && v6.getScopeId() == 0
                && (v6.isLinkLocalAddress() || v6.isMulticastAddress());
    }

    private static List<InetSocketAddress> withZone(List<InetAddress> addresses, int port,
            SystemInterfaces.Interface zone) {
        List<InetSocketAddress> out = new ArrayList<>(addresses.size());
        for (InetAddress a : addresses) {
            InetAddress addr = a;
            if (zone != null && needsZone(a)) {
                try {
                    // The numeric zone, because the NetworkInterface overload insists that the
                    // interface already has a link-local address, which a peer's zone need not.
                    addr = Inet6Address.getByAddress(null, a.getAddress(), zone.index());
                } catch (UnknownHostException e) {
                    throw new IllegalStateException("a 16-byte address is always valid", e);
                }
            }
            out.add(new InetSocketAddress(addr, port));
        }
        return List.copyOf(out);
    }

    private static TransportServicesException failure(String message, Throwable cause) {
        return new TransportServicesException(ErrorReason.RESOLUTION_FAILED, message, cause);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /**
     * How many times this resolver set out to build its DNS resolvers: 0 until the first DNS
     * question, then 1 (for tests: what a system that never asks DNS costs).
     */
    public int dnsBuilds() {
        return dns.builds();
    }

    /** How many sets of DNS resolvers were actually made: 0 when closed before a queued build ran (tests). */
    int dnsResolversMade() {
        return dns.made();
    }

    /**
     * Closes the DNS channels, if any were made; pending and later resolutions fail with
     * RESOLUTION_FAILED. Resolvers still being built are closed by their builder once done.
     */
    @Override
    public void close() {
        closed = true;
        dns.close();
    }

    /**
     * What configuration alone answers for the name {@code key} ({@link #normalize}d) in one family:
     * its hosts-file entries, or for {@code localhost} and names under it without entries of either
     * family, the loopback address (RFC 6761 §6.3).
     */
    private List<InetAddress> configured(String key, boolean v6) {
        List<InetAddress> entries = (v6 ? hostsV6 : hostsV4).getOrDefault(key, List.of());
        if (entries.isEmpty() && (key.equals("localhost") || key.endsWith(".localhost"))
                && hostsV6.getOrDefault(key, List.of()).isEmpty() && hostsV4.getOrDefault(key, List.of()).isEmpty()) {
            return List.of(v6 ? io.netty.util.NetUtil.LOCALHOST6 : io.netty.util.NetUtil.LOCALHOST4);
        }
        return entries;
    }

}

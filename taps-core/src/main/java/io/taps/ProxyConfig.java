package io.taps;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which proxies a Connection may be established through, and how they race the direct path
 * (RFC 9623 §4.1.2: proxies are protocol options of the candidate tree; RFC 9623 §4.3 and RFC 9622
 * §4: the implementation decides how branches race). Immutable; set for a whole system with
 * {@code TransportServices.Builder.proxies} or for one Preconnection with
 * {@code Preconnection.Builder.proxies} / {@link Preconnection#setProxies}, which wins.
 *
 * <p>Policies:
 * <ul>
 *   <li>{@link Policy#DIRECT}: no proxy (the default, {@link #direct()});</li>
 *   <li>{@link Policy#PROXY}: only through the proxies, in the order given; the direct path is never
 *       tried (a network that allows nothing else);</li>
 *   <li>{@link Policy#RACE}: the proxy branches start first, in the order given; the direct branch
 *       joins {@link #delay()} after the last proxy branch started (at once when every proxy attempt
 *       failed), so a dead proxy costs at most one delay and a blocked direct path costs nothing.</li>
 * </ul>
 * Two proxy branches are also {@link #delay()} apart. A stack serves a proxy branch only when it
 * runs over a stream socket the proxy can tunnel (TCP, TLS/TCP; see
 * {@code io.taps.spi.ProtocolStack#tunnelsThroughProxies}); other stacks (UDP, QUIC) stay direct,
 * and are left out under {@link Policy#PROXY}.
 *
 * <p>{@link #system()} asks the JVM's {@link java.net.ProxySelector} at each Initiate (the standard
 * properties {@code socksProxyHost}/{@code socksProxyPort}, {@code https.proxyHost}/{@code
 * https.proxyPort}, {@code http.nonProxyHosts}, {@code java.net.useSystemProxies}; SOCKS credentials
 * from {@code java.net.socks.username}/{@code java.net.socks.password}): the proxies it returns
 * race as {@link Policy#RACE}, and a host it exempts goes direct.
 */
public final class ProxyConfig {
    /** RFC 8305 §5's floor for any stagger between attempts. */
    private static final Duration MINIMUM_DELAY = Duration.ofMillis(10);
    /** The default stagger: RFC 8305's connection attempt delay. */
    public static final Duration DEFAULT_DELAY = Duration.ofMillis(250);

    private static final ProxyConfig DIRECT = new ProxyConfig(Policy.DIRECT, List.of(), DEFAULT_DELAY, false);

    /** How the direct path and the proxies relate. */
    public enum Policy {
        /** Only the direct path. */
        DIRECT,
        /** Only the proxies. */
        PROXY,
        /** Proxies first, the direct path one delay later. */
        RACE
    }

    private final Policy policy;
    private final List<ProxyServer> servers;
    private final Duration delay;
    private final boolean system;

    private ProxyConfig(Policy policy, List<ProxyServer> servers, Duration delay, boolean system) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.servers = List.copyOf(servers);
        this.delay = Objects.requireNonNull(delay, "delay");
        this.system = system;
        if (delay.compareTo(MINIMUM_DELAY) < 0) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "proxy delay must be at least 10 ms (RFC 8305 §5), was " + delay.toMillis() + " ms");
        }
        if (policy != Policy.DIRECT && servers.isEmpty() && !system) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "proxy policy " + policy + " needs at least one proxy");
        }
    }

    /** No proxy: every Connection goes direct (the default). */
    public static ProxyConfig direct() {
        return DIRECT;
    }

    /** Only through {@code proxies}, in this order. */
    public static ProxyConfig only(ProxyServer... proxies) {
        return new ProxyConfig(Policy.PROXY, List.of(proxies), DEFAULT_DELAY, false);
    }

    /** {@code proxies} first, in this order, racing the direct path {@link #DEFAULT_DELAY} later. */
    public static ProxyConfig racing(ProxyServer... proxies) {
        return new ProxyConfig(Policy.RACE, List.of(proxies), DEFAULT_DELAY, false);
    }

    /** The proxies the JVM's {@link java.net.ProxySelector} names for each destination, racing the direct path. */
    public static ProxyConfig system() {
        return new ProxyConfig(Policy.RACE, List.of(), DEFAULT_DELAY, true);
    }

    /** A configuration of {@code policy} with {@code proxies}. */
    public static ProxyConfig of(Policy policy, List<ProxyServer> proxies) {
        return new ProxyConfig(policy, proxies, DEFAULT_DELAY, false);
    }

    /**
     * A configuration of {@code policy} with {@code proxies}, also asking the JVM's ProxySelector when
     * {@code useSystem} (then PROXY and RACE need no listed proxy).
     */
    public static ProxyConfig of(Policy policy, List<ProxyServer> proxies, boolean useSystem) {
        return new ProxyConfig(policy, proxies, DEFAULT_DELAY, useSystem);
    }

    /** This configuration with another stagger between a proxy branch and the next branch (at least 10 ms). */
    public ProxyConfig withDelay(Duration newDelay) {
        return new ProxyConfig(policy, servers, newDelay, system);
    }

    /** This configuration with another policy (DIRECT keeps the proxies listed but unused). */
    public ProxyConfig withPolicy(Policy newPolicy) {
        return new ProxyConfig(newPolicy, servers, delay, system);
    }

    /**
     * This configuration also asking the JVM's {@link java.net.ProxySelector}: its proxies for a
     * destination follow the ones listed here.
     */
    public ProxyConfig withSystemProxies(boolean useSystem) {
        return new ProxyConfig(policy, servers, delay, useSystem);
    }

    public Policy policy() {
        return policy;
    }

    /** The proxies configured here, in race order (without the ProxySelector's). */
    public List<ProxyServer> servers() {
        return servers;
    }

    /** The stagger between a proxy branch and the branch after it. */
    public Duration delay() {
        return delay;
    }

    /** Whether the JVM's ProxySelector is asked at each Initiate. */
    public boolean usesSystemProxies() {
        return system;
    }

    /** Whether no proxy can ever be used. */
    public boolean isDirect() {
        return policy == Policy.DIRECT || (servers.isEmpty() && !system);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ProxyConfig that && policy == that.policy && servers.equals(that.servers)
                && delay.equals(that.delay) && system == that.system;
    }

    @Override
    public int hashCode() {
        return Objects.hash(policy, servers, delay, system);
    }

    @Override
    public String toString() {
        List<String> shown = new ArrayList<>();
        servers.forEach(server -> shown.add(server.toString()));
        if (system) {
            shown.add("the JVM's ProxySelector");
        }
        return "ProxyConfig[" + policy + (shown.isEmpty() ? "" : " " + shown) + ", delay " + delay.toMillis() + " ms]";
    }
}

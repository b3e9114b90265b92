package io.taps.spring.boot.autoconfigure;

import io.taps.ProxyConfig;
import io.taps.ProxyServer;
import io.taps.TransportServicesException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns {@code taps.proxies} and {@code taps.profiles.<name>.proxies} into a {@link ProxyConfig}
 * (RFC 9623 §4.1.2): servers in the order the configuration lists them, the policy race when any
 * proxy (or the JVM's ProxySelector) is given and no policy is, and every bad value a start-up
 * failure naming its key.
 */
final class TapsProxies {
    private TapsProxies() {
    }

    /** The configuration {@code proxies} describes, {@code base} where it sets nothing, or null when neither says anything. */
    static @Nullable ProxyConfig toConfig(TapsProperties.Proxies proxies, String prefix, @Nullable ProxyConfig base) {
        if (!proxies.isConfigured()) {
            return base;
        }
        List<ProxyServer> servers = new ArrayList<>();
        for (Map.Entry<String, TapsProperties.ProxyServerSettings> entry : proxies.getServers().entrySet()) {
            servers.add(server(entry.getValue(), prefix + ".servers." + entry.getKey()));
        }
        if (proxies.getServers().isEmpty() && base != null) {
            servers.addAll(base.servers());
        }
        boolean system = proxies.getSystem() != null ? proxies.getSystem() : base != null && base.usesSystemProxies();
        ProxyConfig.Policy policy = proxies.getPolicy() != null ? proxies.getPolicy()
                : base != null && !base.isDirect() ? base.policy()
                : servers.isEmpty() && !system ? ProxyConfig.Policy.DIRECT : ProxyConfig.Policy.RACE;
        try {
            ProxyConfig config = ProxyConfig.of(policy, servers, system);
            if (proxies.getDelay() != null) {
                config = config.withDelay(proxies.getDelay());
            }
            else if (base != null) {
                config = config.withDelay(base.delay());
            }
            return config;
        }
        catch (TransportServicesException ex) {
            throw TapsConfigurationException.at(prefix, ex, "Fix " + prefix + ": policy proxy or race needs at least"
                    + " one server (or system: true), and the delay must be at least 10ms.");
        }
    }

    private static ProxyServer server(TapsProperties.ProxyServerSettings settings, String prefix) {
        if (settings.getType() == null || settings.getHost() == null || settings.getPort() == null) {
            throw new TapsConfigurationException(io.taps.ErrorReason.INVALID_CONFIGURATION, prefix,
                    "a proxy needs a type, a host and a port",
                    "Set " + prefix + ".type (socks5 or http-connect), .host and .port.", null);
        }
        try {
            ProxyServer server = ProxyServer.of(settings.getType(), settings.getHost(), settings.getPort())
                    .resolvesNames(settings.isResolvesNames());
            if (settings.getUsername() != null || settings.getPassword() != null) {
                server = server.withCredentials(String.valueOf(settings.getUsername()),
                        String.valueOf(settings.getPassword()));
                if (settings.getUsername() == null || settings.getPassword() == null) {
                    throw new TransportServicesException(io.taps.ErrorReason.INVALID_CONFIGURATION,
                            "proxy credentials need both a username and a password");
                }
            }
            return server;
        }
        catch (TransportServicesException ex) {
            throw TapsConfigurationException.at(prefix, ex, "Fix the proxy at " + prefix + ".");
        }
    }
}

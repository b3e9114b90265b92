package io.taps.internal.proxy;

import io.taps.ProxyServer;
import io.taps.endpoint.RemoteEndpoint;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The proxies the JVM's {@link ProxySelector} names for a Connection's destinations ({@code
 * ProxyConfig.system()}): it is asked for {@code socket://host:port} (SOCKS: {@code socksProxyHost},
 * {@code socksProxyPort}) and {@code https://host:port} (HTTP CONNECT: {@code https.proxyHost},
 * {@code https.proxyPort}), which also applies {@code http.nonProxyHosts} and {@code
 * java.net.useSystemProxies}. SOCKS credentials come from {@code java.net.socks.username} and
 * {@code java.net.socks.password}, as the JDK's own SOCKS client reads them. A destination the
 * selector sends DIRECT adds nothing.
 */
public final class SystemProxies {
    private SystemProxies() {
    }

    /** The selector's proxies for {@code remotes}, SOCKS before HTTP, without duplicates. */
    public static List<ProxyServer> lookup(ProxySelector selector, List<RemoteEndpoint> remotes,
            UnaryOperator<String> properties) {
        List<ProxyServer> found = new ArrayList<>();
        if (selector == null) {
            return found;
        }
        for (RemoteEndpoint remote : remotes) {
            String host = remote.hostName().orElseGet(() -> remote.ipAddress().map(ip -> ip.getHostAddress()).orElse(null));
            int port = remote.effectivePort();
            if (host == null || port == 0) {
                continue;
            }
            String authority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
            add(found, selector, URI.create("socket://" + authority), Proxy.Type.SOCKS, properties);
            add(found, selector, URI.create("https://" + authority), Proxy.Type.HTTP, properties);
        }
        return found;
    }

    private static void add(List<ProxyServer> found, ProxySelector selector, URI uri, Proxy.Type wanted,
            UnaryOperator<String> properties) {
        List<Proxy> proxies;
        try {
            proxies = selector.select(uri);
        } catch (RuntimeException e) {
            return; // a selector that cannot answer for this scheme names no proxy for it
        }
        if (proxies == null) {
            return;
        }
        for (Proxy proxy : proxies) {
            SocketAddress address = proxy.address();
            if (proxy.type() != wanted || !(address instanceof InetSocketAddress inet)) {
                continue;
            }
            ProxyServer server = wanted == Proxy.Type.SOCKS
                    ? ProxyServer.socks5(inet.getHostString(), inet.getPort())
                    : ProxyServer.httpConnect(inet.getHostString(), inet.getPort());
            String user = properties.apply("java.net.socks.username");
            String password = properties.apply("java.net.socks.password");
            if (wanted == Proxy.Type.SOCKS && user != null && password != null) {
                server = server.withCredentials(user, password);
            }
            if (!found.contains(server)) {
                found.add(server);
            }
        }
    }
}

package io.taps.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.ProxyServer;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.proxy.SystemProxies;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ProxyConfig.system()}'s source (RFC 9623 §4.1.2 proxies from system configuration): what
 * the JVM's ProxySelector names for a destination becomes the Connection's proxies, SOCKS with the
 * JDK's SOCKS credential properties, and a destination it sends DIRECT gets none.
 */
class SystemProxiesTest {
    /** A selector like the JDK's default one configured with socksProxyHost, https.proxyHost and http.nonProxyHosts. */
    static final class Configured extends ProxySelector {
        final List<URI> asked = new ArrayList<>();

        @Override
        public List<Proxy> select(URI uri) {
            asked.add(uri);
            if (uri.getHost().equals("intranet.test")) {
                return List.of(Proxy.NO_PROXY);
            }
            if (uri.getScheme().equals("socket")) {
                return List.of(new Proxy(Proxy.Type.SOCKS, InetSocketAddress.createUnresolved("socks.test", 1080)));
            }
            return List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("web.test", 3128)));
        }

        @Override
        public void connectFailed(URI uri, SocketAddress address, IOException failure) {
        }
    }

    @Test
    void socksThenHttpForADestinationWithTheJdksSocksCredentials() {
        Configured selector = new Configured();
        Map<String, String> properties = Map.of("java.net.socks.username", "app", "java.net.socks.password", "pw");
        List<ProxyServer> found = SystemProxies.lookup(selector, List.of(RemoteEndpoint.ofHost("example.test", 443)),
                properties::get);
        assertThat(found).containsExactly(ProxyServer.socks5("socks.test", 1080).withCredentials("app", "pw"),
                ProxyServer.httpConnect("web.test", 3128));
        assertThat(selector.asked).extracting(URI::toString)
                .containsExactly("socket://example.test:443", "https://example.test:443");
    }

    @Test
    void aDestinationTheSelectorSendsDirectGetsNoProxy() {
        assertThat(SystemProxies.lookup(new Configured(), List.of(RemoteEndpoint.ofHost("intranet.test", 443)),
                name -> null)).isEmpty();
        assertThat(SystemProxies.lookup(null, List.of(RemoteEndpoint.ofHost("example.test", 443)), name -> null))
                .isEmpty();
    }

    @Test
    void anIpv6LiteralIsBracketedInTheUri() {
        Configured selector = new Configured();
        SystemProxies.lookup(selector, List.of(RemoteEndpoint.ofAddress("2001:db8::1", 443)), name -> null);
        assertThat(selector.asked.get(0).getHost()).isEqualTo("[2001:db8:0:0:0:0:0:1]");
    }
}

package io.taps.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.ProxyServer;
import io.taps.internal.proxy.ProxyTunnel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The proxy as a value and the tunnel's readiness rule: a ProxyServer's name in reports and its
 * equality (the candidate tree hashes leaves with their proxy, so equal proxies must hash alike,
 * whatever form the host was given in), and a proxy leaf's stage (RFC 9623 §4.1.2: ready only when
 * the tunnel and the stack's own handshake inside it are).
 */
class ProxyServerValueTest {
    @Test
    void namesTheProxyWithoutThePasswordAndBracketsIpv6() {
        assertThat(ProxyServer.socks5("127.0.0.1", 1080).describe()).isEqualTo("SOCKS5 proxy 127.0.0.1:1080");
        assertThat(ProxyServer.httpConnect("[::1]", 3128).withCredentials("alice", "secret").describe())
                .isEqualTo("HTTP CONNECT proxy alice@[::1]:3128");
        assertThat(ProxyServer.socks5("proxy.test", 1080).withCredentials("bob", "hunter2").toString())
                .doesNotContain("hunter2");
    }

    @Test
    void equalProxiesHashAlikeAndDifferingOnesDiffer() {
        ProxyServer bracketed = ProxyServer.socks5("[::1]", 1080);
        ProxyServer bare = ProxyServer.socks5("::1", 1080);
        assertThat(bracketed).isEqualTo(bare).hasSameHashCodeAs(bare);
        assertThat(bracketed.withCredentials("u", "p")).isEqualTo(bare.withCredentials("u", "p"))
                .hasSameHashCodeAs(bare.withCredentials("u", "p"))
                .isNotEqualTo(bare);
        assertThat(bare.resolvesNames(false)).isNotEqualTo(bare);
        assertThat(bare.resolvesNames(false).hashCode()).isNotEqualTo(bare.hashCode());
        assertThat(ProxyServer.httpConnect("::1", 1080)).isNotEqualTo(bare);
    }

    @Test
    void aStackWithoutItsOwnHandshakeIsReadyWhenTheTunnelIs() {
        CompletableFuture<Void> tunnel = new CompletableFuture<>();
        CompletionStage<?> ready = ProxyTunnel.throughTunnel(tunnel, null);
        assertThat(ready.toCompletableFuture()).isNotDone();
        tunnel.complete(null);
        assertThat(ready.toCompletableFuture()).isCompleted();
    }

    @Test
    void aStackHandshakeInsideTheTunnelWaitsForBothAndFailsWithTheTunnel() {
        CompletableFuture<Void> tunnel = new CompletableFuture<>();
        CompletableFuture<String> handshake = new CompletableFuture<>();
        CompletableFuture<?> ready = ProxyTunnel.throughTunnel(tunnel, handshake).toCompletableFuture();
        tunnel.complete(null);
        assertThat(ready).isNotDone();
        handshake.complete("h2");
        assertThat(ready.join()).isEqualTo("h2");

        CompletableFuture<Void> refused = new CompletableFuture<>();
        CompletableFuture<?> failed = ProxyTunnel.throughTunnel(refused, new CompletableFuture<>()).toCompletableFuture();
        IllegalStateException cause = new IllegalStateException("refused");
        refused.completeExceptionally(cause);
        assertThat(failed).isCompletedExceptionally();
        assertThat(failed.handle((ok, failure) -> failure).join()).isSameAs(cause);
    }
}

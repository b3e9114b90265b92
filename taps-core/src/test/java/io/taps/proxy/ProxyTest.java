package io.taps.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.testing.DebianPackages;
import io.taps.testing.NetnsJvm;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proxies as branches of the candidate tree (RFC 9623 §4.1.2; issue 19 item 1) against real
 * proxies: Debian's {@code dante-server} (SOCKS5 with username/password) and {@code tinyproxy}
 * (HTTP CONNECT with Basic auth), started by {@link ProxyScenarios} in a network namespace where
 * nftables drops direct traffic to the destination's port, and a JDK TLS echo server as the
 * destination. Every scenario verifies TLS end to end (the destination's certificate for its
 * name, issued by the test root) and compares SHA-256 of 256 KiB sent and echoed. Skipped loudly
 * without root, namespaces or the packages.
 */
class ProxyTest {
    private static NetnsJvm.Result result;

    @BeforeAll
    static void runScenarios() {
        NetnsJvm.assumeAvailable();
        DebianPackages.require("danted", "dante-server");
        DebianPackages.require("tinyproxy", "tinyproxy");
        DebianPackages.require("nft", "nftables");
        DebianPackages.require("openssl", "openssl");
        result = NetnsJvm.run(List.of("ip link set lo up", "ip addr add 127.0.0.3/8 dev lo"), ProxyScenarios.class,
                List.of(), Duration.ofSeconds(120));
        assertThat(result.value("done")).as(result.describe()).isEqualTo("true");
        // The establishment reports of every scenario, for the log.
        result.stdout().lines().filter(line -> line.startsWith("# ")).forEach(System.out::println);
    }

    private static String value(String key) {
        return result.value(key);
    }

    @Test
    void directTrafficToTheDestinationIsDropped() {
        assertThat(value("direct.outcome")).as(result.describe()).isEqualTo("Timeout");
    }

    @Test
    void socks5WithCredentialsWinsTheRaceAgainstTheBlockedDirectPathWithTlsVerifiedEndToEnd() {
        assertThat(value("socksRace.outcome")).as(result.describe()).isEqualTo("ready");
        assertThat(value("socksRace.echo")).isEqualTo("ok");
        assertThat(value("socksRace.winner")).isEqualTo("SOCKS5 proxy tapsproxy@127.0.0.1:1080");
        assertThat(value("socksRace.winnerRemoteUnresolved")).isEqualTo("true");
        // The report shows each leaf: the proxy leaf first, the direct leaf after it.
        assertThat(value("socksRace.attempts")).startsWith("SOCKS5:SUCCEEDED,direct:");
    }

    @Test
    void httpConnectCarriesANameOnlyTheProxyCanResolveWithoutAnyLocalLookup() {
        assertThat(value("httpHidden.outcome")).as(result.describe()).isEqualTo("ready");
        assertThat(value("httpHidden.echo")).isEqualTo("ok");
        assertThat(value("httpHidden.winner")).isEqualTo("HTTP CONNECT proxy tapsuser@127.0.0.1:3128");
        assertThat(value("httpHidden.resolutions")).isEqualTo("0");
        assertThat(value("httpHidden.attempts")).isEqualTo("HTTP:SUCCEEDED");
        // The Connection's Remote Endpoint is where the tunnel leads, by the name given, not the proxy.
        assertThat(value("httpHidden.remoteEndpoint")).contains("hidden.proxy.test").contains("8443");
        assertThat(value("socksHidden.outcome")).isEqualTo("ready");
        assertThat(value("socksHidden.echo")).isEqualTo("ok");
    }

    @Test
    void aDeadProxyLetsTheDirectPathWinWhenRacingIsAllowed() {
        assertThat(value("proxyDown.outcome")).as(result.describe()).isEqualTo("ready");
        assertThat(value("proxyDown.echo")).isEqualTo("ok");
        assertThat(value("proxyDown.winner")).isEqualTo("direct");
        assertThat(value("proxyDown.attempts")).isEqualTo("SOCKS5:FAILED,direct:SUCCEEDED");
    }

    @Test
    void plainTcpThroughSocks5IsReadyOnceTheTunnelIsOpenAndCarriesTheBytes() {
        assertThat(value("socksPlain.outcome")).as(result.describe()).isEqualTo("ready");
        assertThat(value("socksPlain.echo")).isEqualTo("ok");
        assertThat(value("socksPlain.winner")).isEqualTo("SOCKS5 proxy tapsproxy@127.0.0.1:1080");
        assertThat(value("socksPlain.winnerRemoteUnresolved")).isEqualTo("true");
    }

    @Test
    void badProxyCredentialsAreATypedError() {
        assertThat(value("socksBadAuth.outcome")).as(result.describe()).isEqualTo("ProxyAuthenticationFailed");
        assertThat(value("socksBadAuth.attempts")).isEqualTo("SOCKS5:FAILED");
        assertThat(value("socksNoAuth.outcome")).isEqualTo("ProxyAuthenticationFailed");
        assertThat(value("httpBadAuth.outcome")).isEqualTo("ProxyAuthenticationFailed");
    }

    @Test
    void aProxyThatRefusesTheDestinationIsATypedError() {
        assertThat(value("socksRefused.outcome")).as(result.describe()).isEqualTo("ProxyRefused");
        assertThat(value("httpRefused.outcome")).isEqualTo("ProxyRefused");
    }

    @Test
    void theJvmsProxySettingsAreUsedWhenAsked() {
        assertThat(value("system.outcome")).as(result.describe()).isEqualTo("ready");
        assertThat(value("system.echo")).isEqualTo("ok");
        assertThat(value("system.winner")).isEqualTo("SOCKS5 proxy tapsproxy@127.0.0.1:1080");
    }
}

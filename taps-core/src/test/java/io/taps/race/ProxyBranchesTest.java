package io.taps.race;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.ErrorReason;
import io.taps.ProxyConfig;
import io.taps.ProxyServer;
import io.taps.RacingConfig;
import io.taps.TransportServicesException;
import io.taps.internal.gather.CandidateHistory;
import io.taps.internal.gather.CandidateTree;
import io.taps.internal.gather.Leaf;
import io.taps.internal.gather.LocalPath;
import io.taps.internal.gather.ProxyBranches;
import io.taps.internal.gather.ProxyHop;
import io.taps.internal.race.Racer;
import io.taps.internal.stack.ChannelStack;
import io.taps.monitor.EstablishmentReport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proxies as protocol options of the candidate tree (RFC 9623 §4.1.2, M-12) and their stagger
 * (§4.3), in virtual time: where proxy branches go, which stacks they carry, what their leaves
 * name, and when the direct branch starts after them.
 */
class ProxyBranchesTest {
    static final ProxyHop SOCKS = new ProxyHop(ProxyServer.socks5("192.0.2.7", 1080),
            new InetSocketAddress("192.0.2.7", 1080), Duration.ofMillis(150));
    static final ProxyHop HTTP_LOCAL_DNS = new ProxyHop(ProxyServer.httpConnect("192.0.2.8", 80).resolvesNames(false),
            new InetSocketAddress("192.0.2.8", 80), Duration.ofMillis(150));
    static final InetSocketAddress RESOLVED = new InetSocketAddress("198.51.100.1", 443);
    static final List<CandidateTree.Target> NAMES = List.of(new CandidateTree.Target("example.test",
            List.of(ProxyBranches.unresolved("example.test", 443))));
    static final List<CandidateTree.Target> TARGETS = List.of(new CandidateTree.Target("example.test",
            List.of(RESOLVED)));

    static CandidateTree direct() {
        return CandidateTree.build(List.of(LocalPath.DEFAULT), List.of(ChannelStack.TLS_TCP, ChannelStack.UDP), List.of(),
                TARGETS, CandidateHistory.NONE, 64, 16);
    }

    static List<String> describe(List<Leaf> leaves) {
        List<String> out = new ArrayList<>();
        for (Leaf leaf : leaves) {
            out.add((leaf.proxy() == null ? "direct" : leaf.proxy().server().type().label()) + " "
                    + leaf.stack().capabilities().name() + " " + leaf.remote().getHostString()
                    + (leaf.remote().isUnresolved() ? " (unresolved)" : ""));
        }
        return out;
    }

    @Test
    void raceRunsProxyBranchesFirstOnlyForStacksThatTunnelAndSendsTheNameUnresolved() {
        CandidateTree tree = ProxyBranches.apply(direct(), List.of(SOCKS, HTTP_LOCAL_DNS), ProxyConfig.Policy.RACE,
                NAMES, TARGETS, 64);
        assertThat(describe(tree.leaves())).containsExactly(
                "SOCKS5 TLS/TCP example.test (unresolved)",
                "HTTP CONNECT TLS/TCP 198.51.100.1",
                "direct TLS/TCP 198.51.100.1",
                "direct UDP 198.51.100.1");
        List<EstablishmentReport.StackBranch> report = tree.toReport().get(0).stacks();
        assertThat(report).extracting(EstablishmentReport.StackBranch::proxy)
                .containsExactly("SOCKS5 proxy 192.0.2.7:1080", "HTTP CONNECT proxy 192.0.2.8:80", null, null);
        assertThat(tree.leaves().get(0).toCandidate().describe())
                .isEqualTo("TLS/TCP to example.test:443 (example.test) through SOCKS5 proxy 192.0.2.7:1080"
                        + " via default (chosen by the OS)");
    }

    @Test
    void proxyOnlyDropsTheDirectBranchesAndPathsThatCannotReachTheProxy() {
        LocalPath v6 = new LocalPath(parse("::1"), 0, "lo");
        CandidateTree withPaths = CandidateTree.build(List.of(v6, LocalPath.DEFAULT), List.of(ChannelStack.TCP),
                List.of(), TARGETS, CandidateHistory.NONE, 64, 16);
        CandidateTree tree = ProxyBranches.apply(withPaths, List.of(SOCKS), ProxyConfig.Policy.PROXY, NAMES, TARGETS, 64);
        assertThat(tree.leaves()).hasSize(1);
        assertThat(tree.leaves().get(0).path()).isEqualTo(LocalPath.DEFAULT);
        assertThat(tree.leaves().get(0).proxy()).isEqualTo(SOCKS);
    }

    @Test
    void theBoundOnLeavesCountsProxyLeavesFirst() {
        CandidateTree tree = ProxyBranches.apply(direct(), List.of(SOCKS, HTTP_LOCAL_DNS), ProxyConfig.Policy.RACE,
                NAMES, TARGETS, 3);
        assertThat(describe(tree.leaves())).containsExactly("SOCKS5 TLS/TCP example.test (unresolved)",
                "HTTP CONNECT TLS/TCP 198.51.100.1", "direct TLS/TCP 198.51.100.1");
    }

    @Test
    void theDirectBranchStartsOneProxyDelayAfterTheProxyAndAtOnceWhenTheProxyFails() {
        VirtualClock clock = new VirtualClock();
        List<Leaf> started = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        List<io.taps.internal.race.AttemptStarter.Callbacks> callbacks = new ArrayList<>();
        long origin = clock.nanoTime();
        Racer<io.taps.internal.race.AttemptStarter.Running> racer = new Racer<>(clock, (leaf, callback) -> {
            started.add(leaf);
            at.add((clock.nanoTime() - origin) / 1_000_000);
            callbacks.add(callback);
            return () -> { };
        }, RacingConfig.defaults(), "test", new Racer.Listener<>() {
            @Override
            public void won(Leaf leaf, io.taps.internal.race.AttemptStarter.Running attempt) {
            }

            @Override
            public void failed(TransportServicesException error) {
            }
        });
        racer.start(Duration.ofSeconds(30));
        CandidateTree tree = ProxyBranches.apply(direct(), List.of(SOCKS, HTTP_LOCAL_DNS), ProxyConfig.Policy.RACE,
                NAMES, TARGETS, 64);
        racer.offer(tree.leaves());
        clock.advanceMillis(149);
        assertThat(at).containsExactly(0L);
        clock.advanceMillis(1);
        assertThat(at).containsExactly(0L, 150L);
        callbacks.get(1).failed(new TransportServicesException(ErrorReason.PROXY_REFUSED, "refused"));
        assertThat(at).containsExactly(0L, 150L, 150L);
        assertThat(started.get(2).proxy()).isNull();
    }

    @Test
    void configurationIsValidated() {
        assertThatThrownBy(() -> ProxyConfig.of(ProxyConfig.Policy.PROXY, List.of()))
                .isInstanceOfSatisfying(TransportServicesException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION));
        assertThatThrownBy(() -> ProxyConfig.racing(ProxyServer.socks5("h", 1)).withDelay(Duration.ofMillis(5)))
                .isInstanceOf(TransportServicesException.class).hasMessageContaining("10 ms");
        assertThatThrownBy(() -> ProxyServer.socks5("h", 0)).isInstanceOf(TransportServicesException.class);
        assertThat(ProxyServer.socks5("h", 1).withCredentials("u", "secret").toString()).doesNotContain("secret");
        assertThat(ProxyConfig.direct().isDirect()).isTrue();
    }

    static java.net.InetAddress parse(String literal) {
        try {
            return java.net.InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}

package io.taps.internal.gather;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.ProxyConfig;
import io.taps.ProxyServer;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.stack.ChannelStack;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 (figure 9, code per connection): the Initiates of one Preconnection snapshot share its
 * direct candidate tree ({@link CandidateTreeMemo}), and with it the proxy branches built on that
 * tree, their leaves and report lines, while the proxies, policy, destinations and bound are the
 * same; any change gives a tree of its own, equal to a fresh build.
 */
class ProxyBranchesMemoTest {
    private static final InetSocketAddress RESOLVED = new InetSocketAddress("198.51.100.1", 443);
    private static final List<CandidateTree.Target> TARGETS = List.of(new CandidateTree.Target("example.test",
            List.of(RESOLVED)));
    /** Per test (JUnit makes an instance per test): the tree keeps what was built on it. */
    private final CandidateTree direct = CandidateTree.build(List.of(LocalPath.DEFAULT),
            List.of(ChannelStack.TCP), List.of(), TARGETS, CandidateHistory.NONE, 64, 16);

    private final AtomicInteger namings = new AtomicInteger();
    /** Names the destinations as ProxyGathering does, counting the calls: one per tree built. */
    private final Function<List<RemoteEndpoint>, List<CandidateTree.Target>> names = remotes -> {
        namings.incrementAndGet();
        List<CandidateTree.Target> out = new ArrayList<>();
        for (RemoteEndpoint remote : remotes) {
            String host = remote.hostName().orElseThrow();
            out.add(new CandidateTree.Target(host, List.of(ProxyBranches.unresolved(host, remote.effectivePort()))));
        }
        return out;
    };

    /** A new hop, endpoint list and resolved list per call, as each Connection's establishment makes its own. */
    private CandidateTree apply(CandidateTree tree, String proxyAddress, String host, ProxyConfig.Policy policy) {
        ProxyHop hop = new ProxyHop(ProxyServer.socks5("proxy.test", 1080), new InetSocketAddress(proxyAddress, 1080),
                Duration.ofMillis(150));
        return ProxyBranches.apply(tree, List.of(hop), policy, List.of(RemoteEndpoint.ofHost(host, 443)), names,
                new ArrayList<>(TARGETS), 64);
    }

    @Test
    void equalArgumentsOnTheSameDirectTreeShareTheProxiedTreeItsLinesAndReport() {
        CandidateTree first = apply(direct, "192.0.2.7", "example.test", ProxyConfig.Policy.PROXY);
        CandidateTree second = apply(direct, "192.0.2.7", "example.test", ProxyConfig.Policy.PROXY);

        assertThat(second).isSameAs(first);
        assertThat(second.notStartedLines()).isSameAs(first.notStartedLines());
        assertThat(second.toReport()).isSameAs(first.toReport());
        assertThat(namings).hasValue(1);
        assertThat(second.leaves()).singleElement().satisfies(leaf -> {
            assertThat(leaf.remote()).isEqualTo(ProxyBranches.unresolved("example.test", 443));
            assertThat(leaf.proxy().address()).isEqualTo(new InetSocketAddress("192.0.2.7", 1080));
        });
    }

    @Test
    void anotherProxyAddressDestinationOrPolicyBuildsItsOwnTree() {
        CandidateTree first = apply(direct, "192.0.2.7", "example.test", ProxyConfig.Policy.PROXY);
        CandidateTree movedProxy = apply(direct, "192.0.2.9", "example.test", ProxyConfig.Policy.PROXY);
        CandidateTree otherHost = apply(direct, "192.0.2.9", "other.test", ProxyConfig.Policy.PROXY);
        CandidateTree racing = apply(direct, "192.0.2.9", "other.test", ProxyConfig.Policy.RACE);

        assertThat(movedProxy).isNotSameAs(first);
        assertThat(movedProxy.leaves().get(0).proxy().address()).isEqualTo(new InetSocketAddress("192.0.2.9", 1080));
        assertThat(otherHost.leaves().get(0).remote()).isEqualTo(ProxyBranches.unresolved("other.test", 443));
        assertThat(racing.leaves()).extracting(Leaf::remote)
                .containsExactly(ProxyBranches.unresolved("other.test", 443), RESOLVED);
        assertThat(namings).hasValue(4);
    }

    @Test
    void anotherDirectTreeBuildsItsOwnProxiedTree() {
        CandidateTree other = CandidateTree.build(List.of(LocalPath.DEFAULT), List.of(ChannelStack.TCP), List.of(),
                TARGETS, CandidateHistory.NONE, 64, 16);
        CandidateTree onDirect = apply(direct, "192.0.2.7", "example.test", ProxyConfig.Policy.RACE);
        CandidateTree onOther = apply(other, "192.0.2.7", "example.test", ProxyConfig.Policy.RACE);

        assertThat(onOther).isNotSameAs(onDirect);
        assertThat(onOther.leaves()).isEqualTo(onDirect.leaves());
    }
}

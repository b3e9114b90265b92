package io.taps.race;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.internal.gather.CandidateHistory;
import io.taps.internal.gather.CandidateTree;
import io.taps.internal.gather.Leaf;
import io.taps.internal.gather.LocalPath;
import io.taps.internal.stack.ChannelStack;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The candidate tree (RFC 9623 §4.1): path, then stack, then address; RFC 6724 precedence and
 * family interleaving; the history hook; the bounds of M-72.
 */
class CandidateTreeTest {
    static InetSocketAddress at(String address) {
        try {
            return new InetSocketAddress(InetAddress.getByName(address), 443);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static List<String> addresses(List<Leaf> leaves) {
        return leaves.stream().map(l -> l.remote().getAddress().getHostAddress()).toList();
    }

    static CandidateTree.Target target(String... addresses) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String a : addresses) {
            out.add(at(a));
        }
        return new CandidateTree.Target("example.test", out);
    }

    @Test
    void ordersByPrecedenceThenInterleavesFamilies() {
        CandidateTree tree = CandidateTree.build(List.of(LocalPath.DEFAULT), List.of(ChannelStack.TCP), List.of(),
                List.of(target("198.51.100.1", "198.51.100.2", "fd00::1", "2001:db8::1", "2001:db8::2")),
                CandidateHistory.NONE, 64, 16);
        // 2001:db8::/32 has precedence 40 > IPv4 35 > ULA 3; then v6, v4, v6, v4, ...
        assertThat(addresses(tree.leaves())).containsExactly("2001:db8:0:0:0:0:0:1", "198.51.100.1",
                "2001:db8:0:0:0:0:0:2", "198.51.100.2", "fd00:0:0:0:0:0:0:1");
    }

    /**
     * The order itself, as {@code order} gives it (computed per Connection, so written without a
     * comparator): duplicates go, equal precedence keeps the given order, an unresolved address
     * (a proxy resolves it) counts as neither IPv6 nor of higher precedence, and with more of one
     * family the rest follow in order; more than 16 addresses take the same order.
     */
    @Test
    void orderKeepsEqualPrecedenceStableDropsDuplicatesAndInterleaves() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("proxy.test", 443);
        List<InetSocketAddress> ordered = CandidateTree.order(List.of(at("198.51.100.2"), at("fd00::1"), at("::1"),
                at("198.51.100.1"), at("2001:db8::2"), at("198.51.100.2"), at("2001:db8::1"), unresolved));
        // Precedence: ::1 50; 2001:db8::2, 2001:db8::1 and the unresolved one 40 (in that given
        // order); IPv4 35; fd00::1 3. Then IPv6 and the rest interleaved, IPv6 first.
        assertThat(ordered).containsExactly(at("::1"), unresolved, at("2001:db8::2"), at("198.51.100.2"),
                at("2001:db8::1"), at("198.51.100.1"), at("fd00::1"));
        List<InetSocketAddress> many = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            many.add(at("198.51.100." + i));
            many.add(at("2001:db8::" + i));
        }
        many.add(at("198.51.100.1"));
        List<InetSocketAddress> manyOrdered = CandidateTree.order(many);
        assertThat(manyOrdered).hasSize(40);
        for (int i = 0; i < 20; i++) {
            assertThat(manyOrdered.get(2 * i)).isEqualTo(at("2001:db8::" + (i + 1)));
            assertThat(manyOrdered.get(2 * i + 1)).isEqualTo(at("198.51.100." + (i + 1)));
        }
    }

    /**
     * The performance cache changes while a tree is built (it decays and learns on other loops):
     * each leaf's rank is read once, so the sort sees consistent answers (TimSort rejects a
     * comparator whose answers change).
     */
    @Test
    void readsEachLeafsRankOnceWhileTheHistoryKeepsChanging() {
        java.util.Map<Leaf, Integer> calls = new java.util.IdentityHashMap<>();
        java.util.concurrent.atomic.AtomicInteger drift = new java.util.concurrent.atomic.AtomicInteger();
        CandidateHistory changing = leaf -> {
            calls.merge(leaf, 1, Integer::sum);
            return drift.incrementAndGet() % 7;
        };
        List<String> many = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            many.add("198.51.100." + i);
        }
        CandidateTree tree = CandidateTree.build(List.of(LocalPath.DEFAULT), List.of(ChannelStack.TCP), List.of(),
                List.of(target(many.toArray(String[]::new))), changing, 64, 64);
        assertThat(tree.leaves()).hasSize(40);
        assertThat(calls.values()).as("rank reads per leaf").containsOnly(1);
    }

    @Test
    void historyRanksBeforeAddressOrder() {
        CandidateHistory fasterV4 = leaf -> leaf.remote().getAddress().getHostAddress().equals("198.51.100.2") ? -1 : 0;
        CandidateTree tree = CandidateTree.build(List.of(LocalPath.DEFAULT), List.of(ChannelStack.TCP), List.of(),
                List.of(target("2001:db8::1", "198.51.100.1", "198.51.100.2")), fasterV4, 64, 16);
        assertThat(addresses(tree.leaves())).containsExactly("198.51.100.2", "2001:db8:0:0:0:0:0:1",
                "198.51.100.1");
    }

    @Test
    void walksPathThenStackThenAddressAndMatchesFamilies() {
        LocalPath v4 = new LocalPath(InetAddress.getLoopbackAddress(), 0, "lo");
        CandidateTree tree = CandidateTree.build(List.of(LocalPath.DEFAULT, v4), List.of(ChannelStack.TCP, ChannelStack.UDP),
                List.of("h2"), List.of(target("::1", "127.0.0.1")), CandidateHistory.NONE, 64, 16);
        assertThat(tree.leaves()).extracting(l -> l.path().describe() + " " + l.stack() + " "
                + l.remote().getAddress().getHostAddress()).containsExactly(
                "default (chosen by the OS) TCP 0:0:0:0:0:0:0:1", "default (chosen by the OS) TCP 127.0.0.1",
                "default (chosen by the OS) UDP 0:0:0:0:0:0:0:1", "default (chosen by the OS) UDP 127.0.0.1",
                "lo 127.0.0.1 TCP 127.0.0.1", "lo 127.0.0.1 UDP 127.0.0.1");
        assertThat(tree.toReport()).hasSize(2);
        assertThat(tree.toReport().get(1).stacks().get(0).addresses()).containsExactly(at("127.0.0.1"));
    }

    @Test
    void boundsAddressesPerHostAndLeaves() {
        String[] many = new String[40];
        for (int i = 0; i < 40; i++) {
            many[i] = (i % 2 == 0 ? "2001:db8::" : "198.51.100.") + (i + 1);
        }
        CandidateTree perHost = CandidateTree.build(List.of(LocalPath.DEFAULT), List.of(ChannelStack.TCP), List.of(),
                List.of(target(many)), CandidateHistory.NONE, 64, 16);
        assertThat(perHost.leaves()).hasSize(16);
        assertThat(addresses(perHost.leaves())).filteredOn(a -> a.contains(":")).hasSize(8);
        CandidateTree leaves = CandidateTree.build(List.of(LocalPath.DEFAULT), List.of(ChannelStack.TCP, ChannelStack.UDP),
                List.of(), List.of(target(many), target("203.0.113.9")), CandidateHistory.NONE, 20, 16);
        assertThat(leaves.leaves()).hasSize(20);
        // Defaults: 64 leaves, 16 per host.
        CandidateTree defaults = CandidateTree.build(List.of(LocalPath.DEFAULT, new LocalPath(null, 1, null)),
                List.of(ChannelStack.TCP, ChannelStack.UDP), List.of(),
                List.of(target(many), target(many.clone()).addresses().isEmpty() ? target() : target("203.0.113.1",
                        "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5", "203.0.113.6", "203.0.113.7",
                        "203.0.113.8", "203.0.113.9", "203.0.113.10", "203.0.113.11", "203.0.113.12", "203.0.113.13",
                        "203.0.113.14", "203.0.113.15", "203.0.113.16", "203.0.113.17")),
                CandidateHistory.NONE, io.taps.RacingConfig.defaults().maxLeaves(),
                io.taps.RacingConfig.defaults().maxAddressesPerHost());
        assertThat(defaults.leaves()).hasSize(64);
    }
}

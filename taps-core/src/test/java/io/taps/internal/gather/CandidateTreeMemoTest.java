package io.taps.internal.gather;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.internal.stack.ChannelStack;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 (code per connection): the Initiates of one Preconnection snapshot whose names answer
 * from configuration share one candidate tree, and its report view, while the history keeps its
 * order; a new ranking or new addresses give a tree of their own, equal to a fresh build.
 */
class CandidateTreeMemoTest {
    private static final InetSocketAddress V6 = at("::1");
    private static final InetSocketAddress V4 = at("127.0.0.1");

    private static InetSocketAddress at(String address) {
        try {
            return new InetSocketAddress(InetAddress.getByName(address), 443);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static CandidateTree build(CandidateTreeMemo memo, CandidateHistory history, InetSocketAddress... addresses) {
        // A new target list per call, as each Connection's establishment makes its own.
        return memo.build(List.of(LocalPath.DEFAULT), List.of(ChannelStack.TCP), List.of(),
                stack -> List.of(new CandidateTree.Target("localhost", List.of(addresses))), history, 64, 16);
    }

    private static List<InetSocketAddress> remotes(CandidateTree tree) {
        return tree.leaves().stream().map(Leaf::remote).toList();
    }

    @Test
    void sameGatheringAndRankingShareTheTreeAndItsReport() {
        CandidateTreeMemo memo = new CandidateTreeMemo();
        CandidateTree first = build(memo, CandidateHistory.NONE, V6, V4);
        CandidateTree second = build(memo, CandidateHistory.NONE, V6, V4);

        assertThat(second).isSameAs(first);
        assertThat(second.toReport()).isSameAs(first.toReport());
        assertThat(second.notStartedLines()).isSameAs(first.notStartedLines());
        assertThat(memo.builds()).isEqualTo(1);
        assertThat(remotes(second)).containsExactly(V6, V4);
    }

    @Test
    void aRankingThatReordersGivesANewTreeInThatOrderWithoutGatheringAgain() {
        CandidateTreeMemo memo = new CandidateTreeMemo();
        AtomicInteger v6Rank = new AtomicInteger();
        CandidateHistory history = leaf -> leaf.remote().equals(V6) ? v6Rank.get() : 0;
        CandidateTree first = build(memo, history, V6, V4);

        v6Rank.set(1); // IPv6 failed last time: IPv4 goes first
        CandidateTree reordered = build(memo, history, V6, V4);

        assertThat(reordered).isNotSameAs(first);
        assertThat(remotes(reordered)).containsExactly(V4, V6);
        assertThat(remotes(reordered)).isEqualTo(remotes(CandidateTree.build(List.of(LocalPath.DEFAULT),
                List.of(ChannelStack.TCP), List.of(), List.of(new CandidateTree.Target("localhost", List.of(V6, V4))),
                history, 64, 16)));
        assertThat(build(memo, history, V6, V4)).isSameAs(reordered);
        assertThat(memo.builds()).isEqualTo(1);
    }

    @Test
    void otherAddressesOrAnotherHistoryGatherAgain() {
        CandidateTreeMemo memo = new CandidateTreeMemo();
        CandidateTree both = build(memo, CandidateHistory.NONE, V6, V4);
        CandidateTree v4Only = build(memo, CandidateHistory.NONE, V4);
        CandidateTree otherHistory = build(memo, leaf -> 0, V4);

        assertThat(remotes(both)).containsExactly(V6, V4);
        assertThat(remotes(v4Only)).containsExactly(V4);
        assertThat(otherHistory).isNotSameAs(v4Only);
        assertThat(memo.builds()).isEqualTo(3);
    }

    @Test
    void aTreesNotStartedLinesAreItsLeavesInOrder() {
        CandidateTree tree = build(new CandidateTreeMemo(), CandidateHistory.NONE, V6, V4);

        assertThat(tree.notStartedLines()).hasSize(2).allSatisfy(line -> {
            assertThat(line.outcome()).isEqualTo(io.taps.monitor.EstablishmentReport.Outcome.NOT_STARTED);
            assertThat(line.startOffset()).isEmpty();
        });
        assertThat(tree.notStartedLines()).extracting(line -> line.candidate().remote()).containsExactly(V6, V4);
        assertThat(tree.notStartedLines()).isEqualTo(tree.leaves().stream().map(Leaf::notStartedLine).toList());
    }
}

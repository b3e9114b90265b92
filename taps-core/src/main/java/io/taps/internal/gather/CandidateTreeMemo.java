package io.taps.internal.gather;

import io.taps.spi.ProtocolStack;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The last candidate tree one Preconnection snapshot's Initiates built, kept for the next (issue 21:
 * code per connection). A Preconnection whose names answer from configuration (literals, the hosts
 * file) gathers the same paths, stacks and addresses on every Initiate, so rebuilding the tree, its
 * leaves and its report view per Connection was work for an identical result. Only the history's
 * ranking can differ: it is read again for every build, and the tree is shared only when the
 * ranking leaves its order as it was, leaf for leaf; otherwise a tree in the new order is built
 * from the kept unranked leaves.
 *
 * <p>Thread-safe: Initiates on several event loops read and replace one immutable entry; a lost
 * replacement only means one more build.
 */
public final class CandidateTreeMemo {
    private record Entry(List<LocalPath> paths, List<ProtocolStack> stacks, List<String> alpn,
            List<List<CandidateTree.Target>> targets, CandidateHistory history, int maxLeaves,
            int maxAddressesPerHost, List<CandidateTree.PathNode> unranked, CandidateTree tree) {

        boolean matches(List<LocalPath> paths, List<ProtocolStack> stacks, List<String> alpn,
                List<List<CandidateTree.Target>> targets, CandidateHistory history, int maxLeaves,
                int maxAddressesPerHost) {
            return this.history == history && this.maxLeaves == maxLeaves
                    && this.maxAddressesPerHost == maxAddressesPerHost && this.paths.equals(paths)
                    && this.stacks.equals(stacks) && this.alpn.equals(alpn) && this.targets.equals(targets);
        }
    }

    private volatile Entry last;
    private int builds;

    /**
     * {@link CandidateTree#build(List, List, List, Function, CandidateHistory, int, int)}, the last
     * tree itself when the arguments are equal and the history ranks its leaves in the same order.
     */
    public CandidateTree build(List<LocalPath> paths, List<ProtocolStack> stacks, List<String> alpn,
            Function<ProtocolStack, List<CandidateTree.Target>> targetsOf, CandidateHistory history,
            int maxLeaves, int maxAddressesPerHost) {
        List<List<CandidateTree.Target>> targets = new ArrayList<>(stacks.size());
        for (ProtocolStack stack : stacks) {
            targets.add(targetsOf.apply(stack));
        }
        Entry entry = last;
        if (entry != null && entry.matches(paths, stacks, alpn, targets, history, maxLeaves, maxAddressesPerHost)) {
            CandidateTree tree = CandidateTree.ranked(entry.unranked(), history, entry.tree());
            if (tree != entry.tree()) {
                last = new Entry(entry.paths(), entry.stacks(), entry.alpn(), entry.targets(), history, maxLeaves,
                        maxAddressesPerHost, entry.unranked(), tree);
            }
            return tree;
        }
        builds++;
        List<CandidateTree.PathNode> unranked = CandidateTree.unranked(paths, stacks, alpn, targets, maxLeaves,
                maxAddressesPerHost);
        CandidateTree tree = CandidateTree.ranked(unranked, history, null);
        last = new Entry(List.copyOf(paths), List.copyOf(stacks), List.copyOf(alpn), List.copyOf(targets), history,
                maxLeaves, maxAddressesPerHost, unranked, tree);
        return tree;
    }

    /** How many times the unranked tree was gathered anew (for tests; racy across loops). */
    int builds() {
        return builds;
    }
}

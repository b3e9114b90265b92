package io.taps.internal.race;

import io.taps.internal.gather.Leaf;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The race order an offer leaves to start: the offered leaves without those started and repeats. */
final class RaceOrder {
    /**
     * Up to this many leaves, repeats are found by scanning: a few comparisons instead of a hash set
     * and a copy per Initiate (the usual tree has a leaf or two per family).
     */
    static final int SCANNED = 16;

    /**
     * The last immutable offer found to have no repeats, by identity: the Initiates of one
     * Preconnection snapshot offer the same tree's leaf list (CandidateTreeMemo), so it is checked
     * once, not per Connection (n^2/2 comparisons, or a hash set and a hash of every leaf, per
     * Initiate; issue 21, figure 13). Weak: a remembered tree stays collectable. Racy across event
     * loops: a lost write only means one more check.
     */
    private static volatile WeakReference<List<Leaf>> lastWithoutRepeats = new WeakReference<>(null);
    /** How many offers were checked for repeats (for tests; racy across loops). */
    static long checks;

    private RaceOrder() {
    }

    /**
     * {@code offered} in order without the leaves in {@code started} and without repeats;
     * {@code offered} itself when it has neither and is immutable (the first offer of a tree:
     * {@link List#copyOf} copies only a list that could still change).
     */
    static List<Leaf> notStarted(List<Leaf> offered, Set<Leaf> started) {
        boolean first = started.isEmpty();
        if (first && lastWithoutRepeats.get() == offered) {
            return offered;
        }
        checks++;
        List<Leaf> order = withoutRepeats(offered, started);
        if (first && order == offered) {
            lastWithoutRepeats = new WeakReference<>(offered);
        }
        return order;
    }

    private static List<Leaf> withoutRepeats(List<Leaf> offered, Set<Leaf> started) {
        int n = offered.size();
        if (n > SCANNED) {
            // Hash sets: an offer per resolution answer over a growing tree was O(n^2) comparisons each.
            Set<Leaf> next = new LinkedHashSet<>();
            for (Leaf leaf : offered) {
                if (!started.contains(leaf)) {
                    next.add(leaf);
                }
            }
            // Nothing dropped: as below, an immutable offer is the order itself (and can be remembered).
            return next.size() == n ? List.copyOf(offered) : new ArrayList<>(next);
        }
        List<Leaf> kept = null; // made at the first leaf dropped
        for (int i = 0; i < n; i++) {
            Leaf leaf = offered.get(i);
            boolean keep = !started.contains(leaf) && !repeats(offered, i);
            if (!keep && kept == null) {
                kept = new ArrayList<>(offered.subList(0, i));
            } else if (keep && kept != null) {
                kept.add(leaf);
            }
        }
        return kept == null ? List.copyOf(offered) : kept;
    }

    /** Whether the leaf at {@code index} equals one before it. */
    private static boolean repeats(List<Leaf> leaves, int index) {
        Leaf leaf = leaves.get(index);
        for (int i = 0; i < index; i++) {
            if (leaves.get(i).equals(leaf)) {
                return true;
            }
        }
        return false;
    }
}

package io.taps.internal.race;

import io.taps.internal.gather.Leaf;
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

    private RaceOrder() {
    }

    /**
     * {@code offered} in order without the leaves in {@code started} and without repeats; for a
     * few leaves, {@code offered} itself when it has neither and is immutable (the first offer of
     * a tree: {@link List#copyOf} copies only a list that could still change).
     */
    static List<Leaf> notStarted(List<Leaf> offered, Set<Leaf> started) {
        int n = offered.size();
        if (n > SCANNED) {
            // Hash sets: an offer per resolution answer over a growing tree was O(n^2) comparisons each.
            Set<Leaf> next = new LinkedHashSet<>();
            for (Leaf leaf : offered) {
                if (!started.contains(leaf)) {
                    next.add(leaf);
                }
            }
            return new ArrayList<>(next);
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

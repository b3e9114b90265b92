package io.taps.internal.race;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.internal.gather.Leaf;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 (code per connection): an offer of a tree's leaves, none started, keeps the tree's own
 * list as the race order instead of a hash set and a copy per Initiate; started leaves and repeats
 * still go, in order, for a few leaves and for many.
 */
class RaceOrderTest {
    @Test
    void aFirstOfferOfATreesLeavesIsKeptAsItIs() {
        List<Leaf> offered = List.copyOf(RacerCostTest.leaves(2));

        assertThat(RaceOrder.notStarted(offered, Set.of())).isSameAs(offered);
    }

    @Test
    void aListThatCouldStillChangeIsCopied() {
        List<Leaf> offered = new ArrayList<>(RacerCostTest.leaves(2));

        List<Leaf> order = RaceOrder.notStarted(offered, Set.of());
        offered.clear();

        assertThat(order).hasSize(2);
    }

    @Test
    void startedLeavesAndRepeatsGoInOrder() {
        for (int n : new int[] {4, RaceOrder.SCANNED + 4}) {
            List<Leaf> leaves = RacerCostTest.leaves(n);
            List<Leaf> offered = new ArrayList<>(leaves);
            offered.add(1, leaves.get(3)); // a repeat ahead of its second place
            offered.add(leaves.get(0));
            Set<Leaf> started = new HashSet<>(List.of(leaves.get(2)));

            List<Leaf> expected = new ArrayList<>(leaves);
            expected.remove(2);
            expected.remove(leaves.get(3));
            expected.add(1, leaves.get(3));
            assertThat(RaceOrder.notStarted(offered, started)).as("%d leaves", n).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void theSameTreesLeavesAreCheckedForRepeatsOnceNotPerInitiate() {
        for (int n : new int[] {4, RaceOrder.SCANNED + 4}) {
            List<Leaf> offered = List.copyOf(RacerCostTest.leaves(n));
            long before = RaceOrder.checks;

            assertThat(RaceOrder.notStarted(offered, Set.of())).isSameAs(offered);
            assertThat(RaceOrder.notStarted(offered, Set.of())).isSameAs(offered);
            assertThat(RaceOrder.checks - before).as("%d leaves", n).isEqualTo(1);

            // An equal list of another tree, or the same with a leaf started, is checked again.
            assertThat(RaceOrder.notStarted(List.copyOf(RacerCostTest.leaves(n)), Set.of())).hasSize(n);
            assertThat(RaceOrder.notStarted(offered, Set.of(offered.get(0)))).containsExactlyElementsOf(
                    offered.subList(1, n));
            assertThat(RaceOrder.checks - before).as("%d leaves", n).isEqualTo(3);
        }
    }

    @Test
    void aListWithRepeatsIsNeverTakenAsItIs() {
        List<Leaf> leaves = RacerCostTest.leaves(RaceOrder.SCANNED + 4);
        List<Leaf> withRepeat = new ArrayList<>(leaves);
        withRepeat.add(leaves.get(0));
        List<Leaf> offered = List.copyOf(withRepeat);

        assertThat(RaceOrder.notStarted(offered, Set.of())).containsExactlyElementsOf(leaves);
        assertThat(RaceOrder.notStarted(offered, Set.of())).containsExactlyElementsOf(leaves);
    }
}

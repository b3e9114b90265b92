package io.taps.internal.race;

import io.taps.internal.gather.Leaf;
import io.taps.monitor.EstablishmentReport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leaves a race has not started yet, in race order, with each one's not-started report line
 * (RFC 9623 §4.3): what an offer replaces and a start takes from the front. Not thread-safe: the
 * {@link Racer}'s thread only.
 */
final class PendingLeaves {
    private static final EstablishmentReport.Attempt[] NO_LINES = new EstablishmentReport.Attempt[0];

    /** The race order: {@code order} from index {@code next} on. */
    private List<Leaf> order = List.of();
    /**
     * The not-started lines of {@link #order}, index for index, each made once per leaf (with its
     * view: a path description and a stack name): a report copies them, nothing more, and a start
     * takes its leaf's view from here. Made per report they cost O(n) string formatting and
     * allocation per attempt, O(n^2) per race (issue 21 item 4, figure 13); kept in a map by leaf,
     * a hash of the leaf per offer, start and report view.
     */
    private EstablishmentReport.Attempt[] lines = NO_LINES;
    private int next;

    /**
     * Replaces the order with {@code offered} without the {@code started} leaves and repeats. A
     * leaf's line is {@code offeredLines}' (index for index with {@code offered}, or null: none),
     * else the one it had while waiting before, else a new one.
     *
     * @return how many lines were made
     */
    int replace(List<Leaf> offered, List<EstablishmentReport.Attempt> offeredLines, Set<Leaf> started) {
        List<Leaf> remaining = RaceOrder.notStarted(offered, started);
        if (offeredLines != null && remaining.size() == offered.size()) {
            // Nothing dropped: the order is the offered one, line for line.
            order = remaining;
            lines = offeredLines.toArray(NO_LINES);
            next = 0;
            return 0;
        }
        // A later offer (late addresses) keeps the lines of the leaves still waiting.
        Map<Leaf, EstablishmentReport.Attempt> waiting = waitingLines();
        order = remaining;
        next = 0;
        lines = new EstablishmentReport.Attempt[order.size()];
        int made = 0;
        for (int i = 0; i < lines.length; i++) {
            Leaf leaf = order.get(i);
            EstablishmentReport.Attempt line = waiting.get(leaf);
            if (line == null) {
                line = leaf.notStartedLine();
                made++;
            }
            lines[i] = line;
        }
        return made;
    }

    /** The lines of the leaves offered before and not started yet, by leaf: empty at the first offer. */
    private Map<Leaf, EstablishmentReport.Attempt> waitingLines() {
        if (count() == 0) {
            return Map.of();
        }
        Map<Leaf, EstablishmentReport.Attempt> waiting = new HashMap<>();
        for (int i = next; i < order.size(); i++) {
            waiting.putIfAbsent(order.get(i), lines[i]);
        }
        return waiting;
    }

    int count() {
        return order.size() - next;
    }

    /** The leaf to start next; only while {@link #count()} is positive. */
    Leaf peek() {
        return order.get(next);
    }

    /** The report's view of {@link #peek()}. */
    EstablishmentReport.Candidate peekCandidate() {
        return lines[next].candidate();
    }

    /** Removes {@link #peek()}: it starts. An index, not a copy of the rest per start (O(n^2) per race). */
    void take() {
        next++;
    }

    /** No leaf will start any more. */
    void clear() {
        order = List.of();
        lines = NO_LINES;
        next = 0;
    }

    /** Copies the lines of the leaves not started into {@code out} from {@code at}. */
    void copyLines(EstablishmentReport.Attempt[] out, int at) {
        System.arraycopy(lines, next, out, at, count());
    }
}

package io.taps.internal.race;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.ErrorReason;
import io.taps.RacingConfig;
import io.taps.TransportServicesException;
import io.taps.internal.gather.Leaf;
import io.taps.monitor.EstablishmentReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, figure 13: a race offered its leaves with a shared tree's not-started report lines
 * (one tree serves every Initiate of a Preconnection) makes no report view of its own, and a
 * started attempt takes its leaf's view from that line; a later offer keeps the lines of the
 * leaves still waiting. The report reads as it did.
 */
class RacerSharedLinesTest {
    private final RacerCostTest.CountingClock clock = new RacerCostTest.CountingClock();
    private final List<AttemptStarter.Callbacks> attempts = new ArrayList<>();
    private final Racer<AttemptStarter.Running> racer = new Racer<>(clock, (leaf, callbacks) -> {
        attempts.add(callbacks);
        return () -> { };
    }, RacingConfig.defaults(), "test", new Racer.Listener<>() {
        @Override
        public void won(Leaf leaf, AttemptStarter.Running attempt) {
        }

        @Override
        public void failed(TransportServicesException error) {
        }
    });

    private static List<EstablishmentReport.Attempt> linesOf(List<Leaf> leaves) {
        return leaves.stream().map(Leaf::notStartedLine).toList();
    }

    @Test
    void aSharedTreesLinesAreTheReportsAndNoViewIsMade() {
        List<Leaf> leaves = RacerCostTest.leaves(20);
        List<EstablishmentReport.Attempt> shared = linesOf(leaves);
        racer.start(Duration.ofSeconds(30));
        racer.offer(leaves, shared);
        attempts.get(0).failed(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED, "refused"));

        List<EstablishmentReport.Attempt> report = racer.report();
        assertThat(racer.candidatesMade).as("report views made by the race").isZero();
        assertThat(report).hasSize(20);
        assertThat(report.get(0).outcome()).isEqualTo(EstablishmentReport.Outcome.FAILED);
        assertThat(report.get(0).candidate()).isSameAs(shared.get(0).candidate());
        assertThat(report.get(1).outcome()).isEqualTo(EstablishmentReport.Outcome.RUNNING);
        assertThat(report.get(1).candidate()).isSameAs(shared.get(1).candidate());
        for (int i = 2; i < 20; i++) {
            assertThat(report.get(i)).isSameAs(shared.get(i));
        }
    }

    @Test
    void aLaterOfferKeepsTheLinesOfTheLeavesStillWaiting() {
        List<Leaf> leaves = RacerCostTest.leaves(3);
        racer.start(Duration.ofSeconds(30));
        racer.offer(leaves);
        List<EstablishmentReport.Attempt> before = racer.report();

        List<Leaf> more = new ArrayList<>(RacerCostTest.leaves(4));
        racer.offer(more); // the same leaves, equal not identical, and one more

        List<EstablishmentReport.Attempt> after = racer.report();
        assertThat(racer.candidatesMade).as("one view per leaf, the new one included").isEqualTo(4);
        assertThat(after).hasSize(4);
        assertThat(after.get(1)).isSameAs(before.get(1));
        assertThat(after.get(2)).isSameAs(before.get(2));
        assertThat(after.get(3).candidate().remote()).isEqualTo(more.get(3).remote());
    }

    @Test
    void aRunningAttemptsLineIsMadeOnceWhileItRuns() {
        racer.start(Duration.ofSeconds(30));
        racer.offer(RacerCostTest.leaves(3));
        List<EstablishmentReport.Attempt> first = racer.report();
        long lines = racer.linesMade;

        List<EstablishmentReport.Attempt> second = racer.report();
        assertThat(second.get(0).outcome()).isEqualTo(EstablishmentReport.Outcome.RUNNING);
        assertThat(second.get(0)).isSameAs(first.get(0));
        assertThat(racer.linesMade).as("no line made by a report with no change").isEqualTo(lines);

        attempts.get(0).failed(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED, "refused"));
        List<EstablishmentReport.Attempt> ended = racer.report();
        assertThat(ended.get(0).outcome()).isEqualTo(EstablishmentReport.Outcome.FAILED);
        assertThat(ended.get(0).startOffset()).isEqualTo(first.get(0).startOffset());
        assertThat(ended.get(0).duration()).isPresent();
        assertThat(ended.get(0).message()).hasValueSatisfying(message -> assertThat(message).contains("refused"));
    }
}

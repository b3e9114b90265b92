package io.taps.internal.race;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.ErrorReason;
import io.taps.RacingConfig;
import io.taps.TransportServicesException;
import io.taps.internal.gather.Leaf;
import io.taps.internal.gather.LocalPath;
import io.taps.internal.stack.ChannelStack;
import io.taps.monitor.EstablishmentReport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The racing engine's work grows linearly with the leaves (issue 21 item 4, figure 13 of the
 * benchmarks): a race through n leaves that each fail at once, with the report read after every
 * change as an establishment publishes it, makes each leaf's report view and not-started line once
 * (a running attempt's line per report), schedules one timer per attempt, and looks at each
 * offered leaf once. Counted, never timed: before, the views of the leaves not started, and later
 * their report lines, were made again for every report (n^2/2 for a race) and the rest of the race
 * order was copied per start.
 */
class RacerCostTest {
    /** A clock whose timers never fire (the race moves only by failures) and which counts them. */
    static final class CountingClock implements RaceClock {
        int scheduled;

        @Override
        public long nanoTime() {
            return 1_000_000_000L;
        }

        @Override
        public Timer schedule(Runnable task, long delayNanos) {
            scheduled++;
            return () -> { };
        }
    }

    /** A race through {@code n} leaves: all fail at once but the last, which wins; the report is read per change. */
    static final class Race {
        final CountingClock clock = new CountingClock();
        final List<AttemptStarter.Callbacks> attempts = new ArrayList<>();
        final List<EstablishmentReport.Attempt> lastReport = new ArrayList<>();
        Leaf winner;
        Racer<AttemptStarter.Running> racer;

        Race(int n) {
            racer = new Racer<>(clock, (leaf, callbacks) -> {
                attempts.add(callbacks);
                return () -> { };
            }, RacingConfig.defaults(), "test", new Racer.Listener<>() {
                @Override
                public void won(Leaf leaf, AttemptStarter.Running attempt) {
                    winner = leaf;
                }

                @Override
                public void failed(TransportServicesException error) {
                    throw new AssertionError("the race should be won", error);
                }

                @Override
                public void changed() {
                    lastReport.clear();
                    lastReport.addAll(racer.report());
                }
            });
            racer.start(Duration.ofSeconds(30));
            List<Leaf> leaves = leaves(n);
            racer.offer(leaves);
            racer.noMoreLeaves();
            for (int i = 0; i < n - 1; i++) {
                attempts.get(i).failed(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED, "refused " + i));
            }
            attempts.get(n - 1).succeeded();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 16, 64})
    void aRaceThroughNLeavesDoesLinearWork(int n) {
        Race race = new Race(n);

        assertThat(race.winner).isNotNull();
        assertThat(race.attempts).hasSize(n);
        assertThat(race.lastReport).hasSize(n);
        assertThat(race.lastReport.get(n - 1).outcome()).isEqualTo(EstablishmentReport.Outcome.SUCCEEDED);
        assertThat(race.racer.candidatesMade).as("report views made").isEqualTo(n);
        assertThat(race.racer.leavesOffered).as("leaves looked at by offer").isEqualTo(n);
        // Each leaf's not-started line once, each attempt's line once per report while it runs
        // (one report at its start) and once when it ended: 3n for this race. Before, every report
        // made a line per leaf not started, n^2/2 + 2n for a race.
        assertThat(race.racer.linesMade).as("report lines made").isEqualTo(3L * n);
        // The deadline, and one stagger timer for the race: each start pushes the next leaf's due
        // time later than the armed timer fires, so it stays armed through the refusals (before,
        // one timer per start, cancelled when its attempt failed: n in all).
        assertThat(race.clock.scheduled).as("timers scheduled").isEqualTo(n == 1 ? 1 : 2);
    }

    @Test
    void sixtyFourLeavesCostFourTimesSixteen() {
        Race sixteen = new Race(16);
        Race sixtyFour = new Race(64);

        assertThat(sixtyFour.racer.candidatesMade).isEqualTo(4 * sixteen.racer.candidatesMade);
        assertThat(sixtyFour.racer.leavesOffered).isEqualTo(4 * sixteen.racer.leavesOffered);
        assertThat(sixtyFour.racer.linesMade).isEqualTo(4 * sixteen.racer.linesMade);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 64})
    void aReportIsImmutableSoThePublishedReportKeepsItWithoutACopy(int n) {
        Race race = new Race(n);

        List<EstablishmentReport.Attempt> report = race.racer.report();

        // EstablishmentReport's List.copyOf keeps an immutable list: one array per publish, not three.
        assertThat(List.copyOf(report)).isSameAs(report);
        assertThat(report).containsExactlyElementsOf(race.lastReport);
    }

    static List<Leaf> leaves(int n) {
        List<Leaf> leaves = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            InetSocketAddress remote = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1000 + i);
            leaves.add(new Leaf(LocalPath.DEFAULT, ChannelStack.TCP, List.of(), remote, "127.0.0.1"));
        }
        return leaves;
    }
}

package io.taps.race;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.ErrorReason;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.EstablishmentReport.Outcome;
import io.taps.RacingConfig;
import io.taps.TransportServicesException;
import io.taps.internal.gather.Leaf;
import io.taps.internal.gather.LocalPath;
import io.taps.internal.race.AttemptStarter;
import io.taps.internal.race.Racer;
import io.taps.internal.stack.ChannelStack;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The racing loop in virtual time (RFC 9623 §4.3, RFC 8305 §5, design.md Q-2): fake attempts that
 * the test completes by hand and a clock that only moves when the test says, so every start time
 * is exact.
 */
class RacerTest {
    final VirtualClock clock = new VirtualClock();
    final List<Fake> started = new ArrayList<>();
    final List<Leaf> won = new ArrayList<>();
    final List<TransportServicesException> failed = new ArrayList<>();

    /** A fake attempt: the test decides its outcome. */
    final class Fake implements AttemptStarter.Running {
        final Leaf leaf;
        final long startMillis;
        final AttemptStarter.Callbacks callbacks;
        boolean cancelled;

        Fake(Leaf leaf, AttemptStarter.Callbacks callbacks) {
            this.leaf = leaf;
            this.callbacks = callbacks;
            this.startMillis = (clock.nanoTime() - origin) / 1_000_000;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        void fail(String why) {
            callbacks.failed(new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED, why));
        }

        void succeed() {
            callbacks.succeeded();
        }
    }

    long origin;

    Racer<Fake> racer(RacingConfig config) {
        return racer(config, Duration.ofSeconds(30), (leaf, callbacks) -> {
            Fake fake = new Fake(leaf, callbacks);
            started.add(fake);
            return fake;
        });
    }

    /** A started race whose attempts come from {@code starter}; wins and failures are recorded. */
    Racer<Fake> racer(RacingConfig config, Duration timeout, AttemptStarter<Fake> starter) {
        Racer<Fake> racer = new Racer<>(clock, starter, config, "test", new Racer.Listener<>() {
            @Override
            public void won(Leaf leaf, Fake attempt) {
                won.add(leaf);
            }

            @Override
            public void failed(TransportServicesException error) {
                failed.add(error);
            }
        });
        origin = clock.nanoTime();
        racer.start(timeout);
        return racer;
    }

    static Leaf leaf(String address) {
        return leaf(LocalPath.DEFAULT, ChannelStack.TCP, address);
    }

    static Leaf leaf(LocalPath path, io.taps.spi.ProtocolStack stack, String address) {
        try {
            return new Leaf(path, stack, List.of(), new InetSocketAddress(InetAddress.getByName(address), 443),
                    "example.test");
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static final List<Leaf> FOUR = List.of(leaf("2001:db8::1"), leaf("198.51.100.1"), leaf("2001:db8::2"),
            leaf("198.51.100.2"));

    List<Long> startTimes() {
        return started.stream().map(f -> f.startMillis).toList();
    }

    @Test
    void staggersAttemptsByTheConnectionAttemptDelay() {
        racer(RacingConfig.defaults()).offer(FOUR);
        assertThat(startTimes()).containsExactly(0L);
        clock.advanceMillis(249);
        assertThat(startTimes()).containsExactly(0L);
        clock.advanceMillis(1);
        assertThat(startTimes()).containsExactly(0L, 250L);
        clock.advanceMillis(1000);
        assertThat(startTimes()).containsExactly(0L, 250L, 500L, 750L);
        assertThat(started).extracting(f -> f.leaf).containsExactlyElementsOf(FOUR);
    }

    @Test
    void startsTheNextAttemptAtOnceWhenOneFails() {
        racer(RacingConfig.defaults()).offer(FOUR);
        clock.advanceMillis(100);
        started.get(0).fail("refused");
        assertThat(startTimes()).containsExactly(0L, 100L);
        // The stagger counts from the latest start.
        clock.advanceMillis(249);
        assertThat(startTimes()).containsExactly(0L, 100L);
        clock.advanceMillis(1);
        assertThat(startTimes()).containsExactly(0L, 100L, 350L);
        started.get(2).fail("refused");
        started.get(1).fail("refused");
        assertThat(startTimes()).containsExactly(0L, 100L, 350L, 350L);
    }

    @Test
    void clampsTheDelayIntoTheConfiguredBand() {
        RacingConfig tooShort = RacingConfig.builder().connectionAttemptDelay(Duration.ofMillis(5)).build();
        assertThat(tooShort.connectionAttemptDelay()).isEqualTo(Duration.ofMillis(100));
        racer(tooShort).offer(FOUR);
        clock.advanceMillis(100);
        assertThat(startTimes()).containsExactly(0L, 100L);

        RacingConfig belowTen = RacingConfig.builder().minimumAttemptDelay(Duration.ofMillis(1))
                .connectionAttemptDelay(Duration.ZERO).build();
        assertThat(belowTen.minimumAttemptDelay()).isEqualTo(Duration.ofMillis(10));
        assertThat(belowTen.connectionAttemptDelay()).isEqualTo(Duration.ofMillis(10));
        RacingConfig tooLong = RacingConfig.builder().connectionAttemptDelay(Duration.ofSeconds(5)).build();
        assertThat(tooLong.connectionAttemptDelay()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void tenMillisecondFloorHolds() {
        racer(RacingConfig.builder().minimumAttemptDelay(Duration.ZERO).connectionAttemptDelay(Duration.ZERO).build())
                .offer(FOUR);
        clock.advanceMillis(9);
        assertThat(startTimes()).containsExactly(0L);
        clock.advanceMillis(1);
        assertThat(startTimes()).containsExactly(0L, 10L);
    }

    @Test
    void invalidConfigurationIsRefused() {
        assertThatThrownBy(() -> RacingConfig.builder().minimumAttemptDelay(Duration.ofSeconds(3)).build())
                .isInstanceOf(TransportServicesException.class)
                .satisfies(e -> assertThat(((TransportServicesException) e).reason())
                        .isEqualTo(ErrorReason.INVALID_CONFIGURATION));
        assertThatThrownBy(() -> RacingConfig.builder().connectionAttemptDelay(Duration.ofMillis(-1)))
                .isInstanceOf(TransportServicesException.class);
        assertThatThrownBy(() -> RacingConfig.builder().maxLeaves(0)).isInstanceOf(TransportServicesException.class);
        assertThatThrownBy(() -> RacingConfig.builder().maxAddressesPerHost(0))
                .isInstanceOf(TransportServicesException.class);
    }

    @Test
    void winnerCancelsTheLosersAndStopsTheSchedule() {
        Racer<Fake> racer = racer(RacingConfig.defaults());
        racer.offer(FOUR);
        clock.advanceMillis(600);
        assertThat(started).hasSize(3);
        started.get(1).succeed();
        assertThat(won).containsExactly(FOUR.get(1));
        assertThat(started.get(0).cancelled).isTrue();
        assertThat(started.get(2).cancelled).isTrue();
        assertThat(started.get(1).cancelled).isFalse();
        clock.advanceMillis(5000);
        assertThat(started).hasSize(3);
        assertThat(clock.pendingTimers()).isZero();
        // A late success of a loser is ignored.
        started.get(0).succeed();
        assertThat(won).hasSize(1);
        List<EstablishmentReport.Attempt> report = racer.report();
        assertThat(report).extracting(EstablishmentReport.Attempt::outcome).containsExactly(Outcome.CANCELLED,
                Outcome.SUCCEEDED, Outcome.CANCELLED, Outcome.NOT_STARTED);
        assertThat(report.get(1).startOffset()).contains(Duration.ofMillis(250));
        assertThat(report.get(1).duration()).contains(Duration.ofMillis(350));
        assertThat(racer.winner()).contains(FOUR.get(1));
    }

    @Test
    void everyFailureIsCarriedByOneEstablishmentError() {
        Racer<Fake> racer = racer(RacingConfig.defaults());
        racer.offer(FOUR);
        racer.noMoreLeaves();
        for (int i = 0; i < 4; i++) {
            started.get(i).fail("refused " + i);
        }
        assertThat(startTimes()).containsExactly(0L, 0L, 0L, 0L);
        assertThat(failed).hasSize(1);
        TransportServicesException error = failed.get(0);
        assertThat(error.reason()).isEqualTo(ErrorReason.ESTABLISHMENT_FAILED);
        assertThat(error.getCause()).hasMessageContaining("refused 0");
        assertThat(error.getSuppressed()).extracting(t -> t.getMessage().replaceAll("^.*refused", "refused"))
                .containsExactly("refused 1", "refused 2", "refused 3");
    }

    @Test
    void waitsForMoreLeavesUntilToldThereAreNone() {
        Racer<Fake> racer = racer(RacingConfig.defaults());
        racer.offer(List.of(FOUR.get(0)));
        started.get(0).fail("refused");
        assertThat(failed).isEmpty();
        clock.advanceMillis(40);
        // A late answer (HEv3): the new leaf starts at once since nothing runs.
        racer.offer(List.of(FOUR.get(0), FOUR.get(1)));
        assertThat(startTimes()).containsExactly(0L, 40L);
        racer.noMoreLeaves();
        assertThat(failed).isEmpty();
        started.get(1).fail("refused");
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).getSuppressed()).hasSize(1);
    }

    @Test
    void lateLeavesJoinTheRunningSchedule() {
        Racer<Fake> racer = racer(RacingConfig.defaults());
        racer.offer(List.of(FOUR.get(0)));
        clock.advanceMillis(30);
        racer.offer(List.of(FOUR.get(0), FOUR.get(1)));
        clock.advanceMillis(219);
        assertThat(startTimes()).containsExactly(0L);
        clock.advanceMillis(1);
        assertThat(startTimes()).containsExactly(0L, 250L);
    }

    @Test
    void delaysDependOnTheBranchLevelThatDiffers() {
        LocalPath other = new LocalPath(InetAddress.getLoopbackAddress(), 0, "lo");
        List<Leaf> leaves = List.of(leaf(LocalPath.DEFAULT, ChannelStack.TCP, "198.51.100.1"),
                leaf(LocalPath.DEFAULT, ChannelStack.UDP, "198.51.100.1"),
                leaf(other, ChannelStack.TCP, "198.51.100.1"),
                leaf(other, ChannelStack.TCP, "198.51.100.2"));
        racer(RacingConfig.builder().protocolDelay(Duration.ofMillis(150)).pathDelay(Duration.ofMillis(400))
                .connectionAttemptDelay(Duration.ofMillis(300)).build()).offer(leaves);
        clock.advanceMillis(2000);
        assertThat(startTimes()).containsExactly(0L, 150L, 550L, 850L);
    }

    @Test
    void maxLeavesBoundsTheAttempts() {
        Racer<Fake> racer = racer(RacingConfig.builder().maxLeaves(2).build());
        racer.offer(FOUR);
        racer.noMoreLeaves();
        clock.advanceMillis(5000);
        assertThat(started).hasSize(2);
        started.get(0).fail("a");
        started.get(1).fail("b");
        assertThat(started).hasSize(2);
        assertThat(failed).hasSize(1);
    }

    /**
     * Once maxLeaves attempts started, no late leaf can ever start: when they have all failed the
     * race must fail at once with their causes, not wait for noMoreLeaves (a slow AAAA answer) and
     * end as a Timeout.
     */
    @Test
    void maxLeavesReachedAndAllFailedFailsWithoutWaitingForLateLeaves() {
        Racer<Fake> racer = racer(RacingConfig.builder().maxLeaves(2).build());
        racer.offer(FOUR.subList(0, 2));
        clock.advanceMillis(300);
        assertThat(started).hasSize(2);
        started.get(0).fail("a");
        started.get(1).fail("b");
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).reason()).isEqualTo(ErrorReason.ESTABLISHMENT_FAILED);
        // A late answer changes nothing, and the deadline finds nothing left to do.
        racer.offer(FOUR);
        racer.noMoreLeaves();
        clock.advanceMillis(60_000);
        assertThat(started).hasSize(2);
        assertThat(failed).hasSize(1);
    }

    @Test
    void timeoutCancelsEverythingAndCarriesTheCauses() {
        Racer<Fake> racer = racer(RacingConfig.defaults(), Duration.ofMillis(600), (leaf, callbacks) -> {
            Fake fake = new Fake(leaf, callbacks);
            started.add(fake);
            return fake;
        });
        racer.offer(FOUR);
        clock.advanceMillis(100);
        started.get(0).fail("refused");
        clock.advanceMillis(2000);
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).reason()).isEqualTo(ErrorReason.TIMEOUT);
        assertThat(failed.get(0).getCause()).hasMessageContaining("refused");
        assertThat(started).allSatisfy(f -> assertThat(f.cancelled || f == started.get(0)).isTrue());
        // The deadline at 600 ms comes before the fourth start due at the same moment.
        assertThat(startTimes()).containsExactly(0L, 100L, 350L);
        List<EstablishmentReport.Attempt> report = racer.report();
        assertThat(report).extracting(EstablishmentReport.Attempt::outcome).containsExactly(Outcome.FAILED,
                Outcome.CANCELLED, Outcome.CANCELLED, Outcome.NOT_STARTED);
        assertThat(report.get(1).reason()).contains(ErrorReason.TIMEOUT);
    }

    @Test
    void cancelStopsEveryAttempt() {
        Racer<Fake> racer = racer(RacingConfig.defaults());
        racer.offer(FOUR);
        clock.advanceMillis(300);
        racer.cancel();
        assertThat(started).allSatisfy(f -> assertThat(f.cancelled).isTrue());
        clock.advanceMillis(5000);
        assertThat(started).hasSize(2);
        assertThat(won).isEmpty();
        assertThat(failed).isEmpty();
    }

    @Test
    void anAttemptThatFailsWhileStartingHandsOverAtOnce() {
        Racer<Fake> racer = racer(RacingConfig.defaults(), Duration.ofSeconds(5), (leaf, callbacks) -> {
            Fake fake = new Fake(leaf, callbacks);
            started.add(fake);
            if (started.size() < 3) {
                fake.fail("no route");
            }
            return fake;
        });
        racer.offer(FOUR);
        assertThat(startTimes()).containsExactly(0L, 0L, 0L);
        started.get(2).succeed();
        assertThat(won).containsExactly(FOUR.get(2));
    }
}

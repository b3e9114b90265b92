package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.endpoint.LocalEndpoint;
import io.taps.properties.ConnectionState;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.OneLoopTapsTestSupport;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The idle timeout's shared sweep (issue 21 item 4): the accepted Connections of one event loop
 * with one idle timeout are sampled by one scheduled task, not one each; a Connection whose
 * timeout changes moves to the sweep of the new one, Disabled or its end takes it out, and a
 * sweep of more Connections than one batch still ends every silent one and then goes away. That
 * silent Connections end with a ConnectionError (Timeout) and traffic keeps them open is
 * {@code AcceptedIdleTimeoutTest}'s.
 */
class IdleSweepTest extends OneLoopTapsTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /**
     * Finding the loop's sweep for a timeout allocates nothing: every adopted Connection looks its
     * sweep up, and a map keyed by (loop, timeout) cost each of them a key object (issue 21 figure 12).
     */
    @Test
    void findingTheSweepOfATimeoutAllocatesNothingAndTwoTimeoutsHaveTwoSweeps() {
        io.netty.channel.embedded.EmbeddedChannel channel = new io.netty.channel.embedded.EmbeddedChannel();
        io.netty.channel.EventLoop loop = channel.eventLoop();
        long timeout = Duration.ofMinutes(5).toNanos();
        IdleSweep sweep = IdleSweep.of(loop, timeout);
        IdleSweep other = IdleSweep.of(loop, timeout + 1);
        assertThat(other).isNotSameAs(sweep);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int others = 0;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            if (IdleSweep.of(loop, timeout) != sweep) {
                others++;
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(others).isZero();
        assertThat(IdleSweep.of(loop, timeout + 1)).isSameAs(other);
        channel.finishAndReleaseAll();
        // A map's key object was 24 B a call: 240,000 B.
        assertThat(allocated).isLessThan(10_000);
    }

    @Test
    void connectionsWithOneIdleTimeoutShareOneSweepAndLeaveItWhenTheyEnd() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = listen(Duration.ofMinutes(7), accepted);
                Socket a = connect(listener); Socket b = connect(listener); Socket c = connect(listener)) {
            await().atMost(WAIT).until(() -> accepted.size() == 3);
            TapsConnection first = (TapsConnection) accepted.get(0);
            IdleSweep sweep = onLoop(first, () -> IdleTimer.sweepOf(first));
            assertThat(sweep).isNotNull();
            assertThat(sweep.timeoutNanos()).isEqualTo(Duration.ofMinutes(7).toNanos());
            for (Connection connection : accepted) {
                assertThat(onLoop(first, () -> IdleTimer.sweepOf((TapsConnection) connection))).isSameAs(sweep);
            }
            assertThat(onLoop(first, sweep::size)).isEqualTo(3);

            first.abort();
            await().atMost(WAIT).until(() -> onLoop(first, () -> IdleTimer.sweepOf(first)) == null);
            assertThat(onLoop(first, sweep::size)).as("the aborted one left the sweep").isEqualTo(2);
        }
    }

    @Test
    void aChangedIdleTimeoutMovesTheConnectionAndDisabledTakesItOut() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = listen(Duration.ofMinutes(8), accepted);
                Socket a = connect(listener); Socket b = connect(listener)) {
            await().atMost(WAIT).until(() -> accepted.size() == 2);
            TapsConnection moved = (TapsConnection) accepted.get(0);
            TapsConnection stays = (TapsConnection) accepted.get(1);
            IdleSweep shared = onLoop(moved, () -> IdleTimer.sweepOf(moved));

            moved.setProperty(Property.IDLE_TIMEOUT, Timeout.of(Duration.ofMinutes(9)));
            await().atMost(WAIT).until(() -> onLoop(moved, () -> IdleTimer.sweepOf(moved)) != shared);
            IdleSweep other = onLoop(moved, () -> IdleTimer.sweepOf(moved));
            assertThat(other.timeoutNanos()).isEqualTo(Duration.ofMinutes(9).toNanos());
            assertThat(onLoop(stays, () -> IdleTimer.sweepOf(stays))).isSameAs(shared);
            assertThat(onLoop(stays, shared::size)).isEqualTo(1);

            moved.setProperty(Property.IDLE_TIMEOUT, Timeout.NONE);
            await().atMost(WAIT).until(() -> onLoop(moved, () -> IdleTimer.sweepOf(moved)) == null);
            assertThat(onLoop(moved, other::size)).isZero();
            assertThat(moved.state()).isEqualTo(ConnectionState.ESTABLISHED);
        }
    }

    @Test
    void aRestartedTimerEndsTheConnectionOnlyAfterAWholeTimeoutOfSamples() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = listen(Duration.ofMinutes(11), accepted); Socket a = connect(listener)) {
            await().atMost(WAIT).until(() -> accepted.size() == 1);
            TapsConnection connection = (TapsConnection) accepted.get(0);
            IdleSweep sweep = onLoop(connection, () -> IdleTimer.sweepOf(connection));
            // Ticks run by hand: the first after (re)starting counts as traffic, then SAMPLES quiet ones end it.
            for (int tick = 0; tick < IdleSweep.SAMPLES; tick++) {
                onLoop(connection, () -> {
                    sweep.run();
                    return null;
                });
                assertThat(connection.state()).as("after tick %d", tick).isEqualTo(ConnectionState.ESTABLISHED);
            }
            onLoop(connection, () -> {
                IdleTimer.restart(connection);
                return null;
            });
            for (int tick = 0; tick < IdleSweep.SAMPLES; tick++) {
                onLoop(connection, () -> {
                    sweep.run();
                    return null;
                });
                assertThat(connection.state()).as("after restart, tick %d", tick)
                        .isEqualTo(ConnectionState.ESTABLISHED);
            }
            onLoop(connection, () -> {
                sweep.run();
                return null;
            });
            await().atMost(WAIT).until(() -> connection.state() == ConnectionState.CLOSED);
            assertThat(onLoop(connection, () -> IdleTimer.sweepOf(connection))).isNull();
        }
    }

    @Test
    void moreSilentConnectionsThanOneBatchAllEndAndTheSweepGoesAway() throws Exception {
        int count = IdleSweep.BATCH + 50;
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        List<Socket> clients = new ArrayList<>();
        Duration idleTimeout = Duration.ofMillis(700);
        try (Listener listener = listen(idleTimeout, accepted)) {
            for (int i = 0; i < count; i++) {
                clients.add(connect(listener));
            }
            await().atMost(WAIT).until(() -> accepted.size() == count);
            TapsConnection any = (TapsConnection) accepted.get(0);
            await().atMost(WAIT).until(() -> accepted.stream().allMatch(c -> c.state() == ConnectionState.CLOSED));
            assertThat(onLoop(any, () -> IdleTimer.sweepOf(any))).as("an ended Connection is in no sweep").isNull();
            await().atMost(WAIT).until(() -> !onLoop(any,
                    () -> IdleSweep.registered(any.eventLoop(), idleTimeout.toNanos())));
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    private static Listener listen(Duration idleTimeout, List<Connection> accepted) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.builder().idleTimeout(idleTimeout).build())
                .security(SecurityParameters.disabled()).build().listen(accepted::add);
        Await.result(listener.ready());
        return listener;
    }

    private static Socket connect(Listener listener) throws Exception {
        return new Socket("127.0.0.1", listener.port());
    }

    private static <T> T onLoop(TapsConnection connection, Callable<T> task) throws Exception {
        return connection.eventLoop().submit(task).get();
    }
}

package io.taps.internal.establish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Listener;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.cache.PerformanceCache;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.gather.Leaf;
import io.taps.internal.gather.LocalPath;
import io.taps.internal.quic.QuicStack;
import io.taps.monitor.PathStatistics;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * RTT is learnt during the life of a Connection, not only at establishment (RFC 9623 §9.2; issue
 * 19 item 3): {@link LifetimeRtt} reads TCP_INFO of a real epoll TCP Connection on its event loop
 * into the performance cache, and stops when the Connection closes.
 */
class LifetimeRttTest extends TapsTestSupport {

    @Test
    void aLiveTcpConnectionsRttIsSampledIntoTheCacheUntilItCloses() {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(Connection::close); // the peer's FIN first: Close ends at once
        Await.result(listener.ready());
        Connection connection = taps.preconnection().security(SecurityParameters.disabled())
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build()
                .initiate(new ConnectionEventHandler() { });
        Await.result(connection.ready());
        TapsConnection internal = (TapsConnection) connection;
        assumeTrue(internal.link().smoothedRtt().isPresent(), "TCP_INFO needs the epoll transport");

        // An entry that claims a 10 s RTT: live samples of the loopback connection pull it down.
        PerformanceCache cache = new PerformanceCache();
        Leaf leaf = new Leaf(LocalPath.DEFAULT, QuicStack.INSTANCE, List.of(), internal.link().remoteAddress(), "x");
        cache.succeeded(leaf, Duration.ofMillis(1), Duration.ofSeconds(10));
        LifetimeRtt loopSampler = new LifetimeRtt(internal.eventLoop(), Duration.ofMillis(10));
        LifetimeRtt.Sampled sampler = onLoop(internal,
                () -> loopSampler.register(internal, internal.link(), leaf, cache));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sampler.samples() >= 5);
        PathStatistics stats = cache.snapshot().get(0);
        assertThat(stats.smoothedRtt()).hasValueSatisfying(rtt -> assertThat(rtt).isLessThan(Duration.ofSeconds(9)));
        assertThat(stats.successes()).as("a sample is not a success").isBetween(0.99, 1.0);

        connection.close();
        Await.result(connection.closed());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(sampler::stopped);
        assertThat(onLoop(internal, loopSampler::sampling)).isZero();
        listener.stop();
    }

    /**
     * One timer per event loop serves all its Connections (issue 21 item 1): connecting and closing
     * a Connection schedules nothing of its own on the loop, and the sampler forgets each at Closed.
     */
    @Test
    void theConnectionsOfOneLoopShareOneTimerAndLeaveItWhenClosed() {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(Connection::close); // the peer's FIN first: each Close ends at once
        Await.result(listener.ready());
        io.taps.Preconnection client = taps.preconnection().security(SecurityParameters.disabled())
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build();
        Connection first = client.initiate(new ConnectionEventHandler() { });
        Await.result(first.ready());
        TapsConnection internal = (TapsConnection) first;
        assumeTrue(internal.link().smoothedRtt().isPresent(), "TCP_INFO needs the epoll transport");
        PerformanceCache cache = new PerformanceCache();
        Leaf leaf = new Leaf(LocalPath.DEFAULT, QuicStack.INSTANCE, List.of(), internal.link().remoteAddress(), "x");
        LifetimeRtt sampler = new LifetimeRtt(internal.eventLoop(), Duration.ofHours(1));
        List<LifetimeRtt.Sampled> sampled = new java.util.ArrayList<>();
        List<Connection> connections = new java.util.ArrayList<>(List.of(first));
        for (int i = 0; i < 3; i++) {
            connections.add(client.initiate(new ConnectionEventHandler() { }));
        }
        for (Connection connection : connections) {
            Await.result(connection.ready());
            TapsConnection each = (TapsConnection) connection;
            // Every Connection registers on the sampler's loop, as the Establishment does on its own.
            sampled.add(onLoop(internal, () -> sampler.register(each, each.link(), leaf, cache)));
        }
        assertThat(onLoop(internal, sampler::sampling)).isEqualTo(4);
        assertThat(onLoop(internal, sampler::timersScheduled)).as("one timer for four Connections").isEqualTo(1);

        // The Engine's own establishment registers its Connections with its loop's shared sampler.
        assertThat(onLoop(internal, () -> LifetimeRtt.sharedOf(internal.eventLoop())
                .map(LifetimeRtt::sampling).orElse(0))).isPositive();

        for (Connection connection : connections) {
            connection.close();
            Await.result(connection.closed());
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> sampled.stream().allMatch(LifetimeRtt.Sampled::stopped));
        assertThat(onLoop(internal, sampler::sampling)).isZero();
        assertThat(onLoop(internal, sampler::timersScheduled)).isEqualTo(1);
        listener.stop();
    }

    /** A TransportServices closed with a Connection still open leaves no sampler holding its event loop. */
    @Test
    void aLoopShutDownWithOpenConnectionsLeavesNoSharedSampler() throws Exception {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(c -> { });
        Await.result(listener.ready());
        io.netty.channel.EventLoop loop;
        try (io.taps.TransportServices own = io.taps.TransportServices.builder().eventLoopThreads(1).build()) {
            Connection open = own.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build()
                    .initiate(new ConnectionEventHandler() { });
            Await.result(open.ready());
            TapsConnection internal = (TapsConnection) open;
            assumeTrue(internal.link().smoothedRtt().isPresent(), "TCP_INFO needs the epoll transport");
            loop = internal.eventLoop();
            assertThat(onLoop(internal, () -> LifetimeRtt.sharedOf(loop).isPresent())).isTrue();
        }
        assertThat(loop.terminationFuture().await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> LifetimeRtt.sharedOf(loop).isEmpty());
        listener.stop();
    }

    private static <T> T onLoop(TapsConnection connection, java.util.concurrent.Callable<T> task) {
        try {
            return connection.eventLoop().submit(task).get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

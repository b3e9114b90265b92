package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.Preconnection;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.blocking.BlockingWork;
import io.taps.internal.conn.TapsConnection;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing blocks an event loop (issue 15 item 6; DEVELOPERS.md): a probe runs a task on every event
 * loop every few milliseconds and records how late it ran, while taps does what used to block a
 * loop: building a TLS context for each of 50 isolateSession Connections and for each attempt under
 * maxCachedSessions(0) (TLS/TCP and QUIC), gathering paths for the {@code interface} property and
 * a LocalEndpoint naming an interface (NetworkInterface system calls), and closing a QUIC Listener
 * from its own event handler (which stalled the loop for 5 s). Deterministically, no such operation
 * may run on an event loop thread at all ({@link BlockingWork#violations()}); the latency bound is
 * generous (well under the old 5 s stall) so that a busy machine does not fail it.
 */
class EventLoopLatencyTest {
    private static final String ALPN = "latency/1";
    /** Far below the 5 s Listener.close() stall, far above scheduling noise on a loaded 2-core machine. */
    private static final Duration LATENCY_BOUND = Duration.ofMillis(2000);

    private TransportServices taps;
    private LoopProbe probe;

    @BeforeEach
    void start() {
        BlockingWork.clearViolations();
        taps = TransportServices.builder().eventLoopThreads(2).build();
    }

    @AfterEach
    void stop() {
        if (probe != null) {
            probe.stop();
        }
        taps.close();
    }

    static SecurityParameters.Builder server() {
        return SecurityParameters.builder()
                .identity(Identity.of(TestPki.SERVER.getKeyPair().getPrivate(), TestPki.SERVER.getCertificatePath()))
                .allowedProtocols(TlsVersion.TLS_1_3).alpn(ALPN);
    }

    static SecurityParameters.Builder client() {
        return SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate())
                .allowedProtocols(TlsVersion.TLS_1_3).alpn(ALPN);
    }

    @Test
    void isolatedAndSessionlessTlsAndQuicConnectionsBuildTheirContextsOffTheEventLoops() {
        try (Listener tls = listen(TransportProperties.builder().prohibit(Property.MULTISTREAMING).build());
                Listener quic = listen(TransportProperties.builder().require(Property.MULTISTREAMING).build())) {
            // Class loading and JIT of a JVM's first TLS and QUIC connections are not what is measured.
            warmUp(tls.port(), TransportProperties.builder().prohibit(Property.MULTISTREAMING).build());
            warmUp(quic.port(), TransportProperties.builder().require(Property.MULTISTREAMING).build());
            BlockingWork.clearViolations();
            probe = LoopProbe.start(loops());
            List<Connection> clients = new ArrayList<>();
            TransportProperties isolatedTls = TransportProperties.builder().prohibit(Property.MULTISTREAMING)
                    .isolateSession(true).build();
            for (int i = 0; i < 50; i++) {
                clients.add(initiate(tls.port(), isolatedTls, client().build()));
            }
            for (int i = 0; i < 10; i++) {
                clients.add(initiate(tls.port(), TransportProperties.builder().prohibit(Property.MULTISTREAMING)
                        .build(), client().maxCachedSessions(0).build()));
            }
            TransportProperties isolatedQuic = TransportProperties.builder().require(Property.MULTISTREAMING)
                    .isolateSession(true).build();
            for (int i = 0; i < 10; i++) {
                clients.add(initiate(quic.port(), isolatedQuic, client().build()));
                clients.add(initiate(quic.port(), TransportProperties.builder().require(Property.MULTISTREAMING)
                        .build(), client().maxCachedSessions(0).build()));
            }
            for (Connection client : clients) {
                Await.result(client.ready());
                Await.result(client.send(Message.of("ping")));
                assertThat(new String(Await.result(client.receive()).bytes(), StandardCharsets.UTF_8)).isEqualTo("ping");
            }
            clients.forEach(Connection::close);
            for (Connection client : clients) {
                Await.result(client.closed());
            }
        }
        assertThat(BlockingWork.violations()).as("blocking work on an event loop").isEmpty();
        assertThat(probe.worstDelay()).as("worst event loop delay; %s", probe.stalls()).isLessThan(LATENCY_BOUND);
    }

    @Test
    void closingAQuicListenerInsideItsOwnHandlerDoesNotStallTheLoop() {
        CompletableFuture<Duration> closeTook = new CompletableFuture<>();
        Listener[] self = new Listener[1];
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.builder().require(Property.MULTISTREAMING).build())
                .security(server().build()).build().listen(accepted -> {
                    long started = System.nanoTime();
                    self[0].close(); // on the accepted Connection's event loop: events run inline there
                    closeTook.complete(Duration.ofNanos(System.nanoTime() - started));
                });
        self[0] = listener;
        Await.result(listener.ready());
        Connection client = initiate(listener.port(), TransportProperties.builder().require(Property.MULTISTREAMING)
                .build(), client().build());
        probe = LoopProbe.start(loops());
        Await.result(client.ready());
        client.send(Message.of("hello"));
        assertThat(Await.result(closeTook)).as("Listener.close() inside its handler").isLessThan(LATENCY_BOUND);
        Await.result(listener.stop()); // Stopped follows the close started in the handler
        client.abort();
        assertThat(probe.worstDelay()).as("worst event loop delay; %s", probe.stalls()).isLessThan(LATENCY_BOUND);
    }

    @Test
    void interfacePreferencesAndInterfaceEndpointsAreResolvedOffTheEventLoops() {
        try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(SecurityParameters.disabled()).build().listen(Echo::serve)) {
            Await.result(listener.ready());
            probe = LoopProbe.start(loops());
            List<Connection> clients = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Preconnection.Builder builder = taps.preconnection()
                        .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                        .security(SecurityParameters.disabled());
                if (i % 2 == 0) {
                    builder.properties(TransportProperties.builder().interfacePreference("lo", Preference.REQUIRE)
                            .build());
                } else {
                    builder.local(LocalEndpoint.builder().withInterface("lo").build());
                }
                clients.add(builder.build().initiate(new RecordingHandler()));
            }
            for (Connection client : clients) {
                Await.result(client.ready());
                client.close();
                Await.result(client.closed());
            }
        }
        assertThat(BlockingWork.violations()).as("blocking work on an event loop").isEmpty();
        assertThat(probe.worstDelay()).as("worst event loop delay; %s", probe.stalls()).isLessThan(LATENCY_BOUND);
    }

    private Listener listen(TransportProperties properties) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).properties(properties)
                .security(server().build()).build().listen(Echo::serve);
        Await.result(listener.ready());
        return listener;
    }

    private void warmUp(int port, TransportProperties properties) {
        Connection connection = initiate(port, properties, client().build());
        Await.result(connection.ready());
        Await.result(connection.send(Message.of("warm")));
        Await.result(connection.receive());
        connection.close();
        Await.result(connection.closed());
    }

    private Connection initiate(int port, TransportProperties properties, SecurityParameters security) {
        return taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", port)).properties(properties)
                .security(security).build().initiate(new RecordingHandler());
    }

    /** Every event loop of this TransportServices, found through a Connection's loop. */
    private List<EventLoop> loops() {
        Connection probeConnection = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", 9))
                .security(SecurityParameters.disabled()).build().initiate(new RecordingHandler());
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor executor : ((TapsConnection) probeConnection).eventLoop().parent()) {
            loops.add((EventLoop) executor);
        }
        probeConnection.abort();
        assertThat(loops).hasSize(2);
        return loops;
    }

    /**
     * Runs a task on each loop every 2 ms and records the longest it ran late; a sampler thread
     * records what a loop was doing while a tick was more than 200 ms overdue, for the failure message.
     */
    static final class LoopProbe {
        private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
        private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
        private final AtomicLong worst = new AtomicLong();
        private final java.util.Map<Thread, Long> lastTick = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<String> stalls = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile boolean running = true;

        static LoopProbe start(List<EventLoop> loops) {
            LoopProbe probe = new LoopProbe();
            loops.forEach(probe::tick);
            Thread sampler = new Thread(probe::sample, "loop-probe-sampler");
            sampler.setDaemon(true);
            sampler.start();
            return probe;
        }

        private void tick(EventLoop loop) {
            long planned = System.nanoTime() + PERIOD_NANOS;
            loop.schedule(() -> {
                long now = System.nanoTime();
                lastTick.put(Thread.currentThread(), now);
                worst.accumulateAndGet(now - planned, Math::max);
                if (running) {
                    tick(loop);
                }
            }, PERIOD_NANOS, TimeUnit.NANOSECONDS);
        }

        private void sample() {
            while (running) {
                lastTick.forEach((thread, at) -> {
                    if (System.nanoTime() - at > STALL_NANOS && stalls.size() < 5) {
                        StringBuilder trace = new StringBuilder(thread.getName()).append(" stalled in:");
                        for (StackTraceElement frame : thread.getStackTrace()) {
                            trace.append("\n    at ").append(frame);
                        }
                        stalls.add(trace.toString());
                    }
                });
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }

        Duration worstDelay() {
            return Duration.ofNanos(worst.get());
        }

        /** What stalled loops were doing, for a failure message. */
        String stalls() {
            return String.join("\n", stalls);
        }

        void stop() {
            running = false;
        }
    }
}

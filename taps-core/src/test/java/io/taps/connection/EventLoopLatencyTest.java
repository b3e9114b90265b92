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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing blocks an event loop (issue 15 item 6; DEVELOPERS.md). Deterministically, no TLS context
 * is built on an event loop thread for 50 isolateSession Connections and for every attempt under
 * maxCachedSessions(0) (TLS/TCP and QUIC): a recording JCA TrustManagerFactory sees where each
 * build reads its trust anchors, and {@link BlockingWork#violations()} where taps builds contexts
 * or enumerates interfaces (the {@code interface} property, a LocalEndpoint naming an interface).
 * Closing a Listener from its own events stalled the loop for 5 s: there a probe that runs a task
 * on every event loop every 2 ms records how late it ran, with a bound well under 5 s and above
 * what a heavily loaded 2-core machine adds (a burst of handshakes alone can exceed a second there,
 * so the other cases rely on the deterministic checks, not on the clock).
 */
class EventLoopLatencyTest {
    private static final String ALPN = "latency/1";
    /**
     * Below the 5 s Listener.close() stall, and above what dozens of concurrent handshakes cost a
     * loop on a heavily loaded 2-core machine: the deterministic checks below catch what it cannot.
     */
    private static final Duration LATENCY_BOUND = Duration.ofMillis(3000);
    private static final RecordingTrustManagerFactory.Provider TRUST_RECORDER = new RecordingTrustManagerFactory.Provider();

    @BeforeAll
    static void recordTrustManagerFactories() {
        java.security.Security.insertProviderAt(TRUST_RECORDER, 1);
    }

    @AfterAll
    static void stopRecording() {
        java.security.Security.removeProvider(TRUST_RECORDER.getName());
    }

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
            RecordingTrustManagerFactory.ON_EVENT_LOOPS.clear();
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
        assertThat(RecordingTrustManagerFactory.ON_EVENT_LOOPS).as("trust managers initialised on an event loop"
                + " (each TLS context build reads its trust anchors)").isEmpty();
        assertThat(BlockingWork.violations()).as("blocking work on an event loop").isEmpty();
    }

    /**
     * Listener.close() inside the Listener's own events (ListenError of a failed bind, Stopped): its
     * Stopped completes only after the running event returns, so waiting for it stalled the event
     * loop the event runs on for the full 5 s bound.
     */
    @Test
    void closingAListenerInsideItsOwnEventsDoesNotStallTheLoop() throws Exception {
        probe = LoopProbe.start(loops());
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            CompletableFuture<Duration> closeInListenError = new CompletableFuture<>();
            Listener[] failed = new Listener[1];
            failed[0] = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", taken.getLocalPort()))
                    .security(SecurityParameters.disabled()).build().listen(new io.taps.ListenerEventHandler() {
                        @Override
                        public void connectionReceived(Connection connection) {
                        }

                        @Override
                        public void establishmentError(Listener listener, io.taps.TransportServicesException error) {
                            closeInListenError.complete(timeClose(listener));
                        }
                    });
            assertThat(Await.result(closeInListenError)).as("Listener.close() in ListenError").isLessThan(LATENCY_BOUND);
        }
        CompletableFuture<Duration> closeInStopped = new CompletableFuture<>();
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(SecurityParameters.disabled()).build().listen(new io.taps.ListenerEventHandler() {
                    @Override
                    public void connectionReceived(Connection connection) {
                    }

                    @Override
                    public void stopped(Listener stopped) {
                        closeInStopped.complete(timeClose(stopped));
                    }
                });
        Await.result(listener.ready());
        listener.stop();
        assertThat(Await.result(closeInStopped)).as("Listener.close() in Stopped").isLessThan(LATENCY_BOUND);
        assertThat(probe.worstDelay()).as("worst event loop delay; %s", probe.stalls()).isLessThan(LATENCY_BOUND);
    }

    private static Duration timeClose(Listener listener) {
        long started = System.nanoTime();
        listener.close();
        return Duration.ofNanos(System.nanoTime() - started);
    }

    @Test
    void interfacePreferencesAndInterfaceEndpointsAreResolvedOffTheEventLoops() {
        try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(SecurityParameters.disabled()).build().listen(Echo::serve)) {
            Await.result(listener.ready());
            BlockingWork.clearViolations();
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
     * A JCA TrustManagerFactory ("PKIX", delegating to the JDK's) that records every initialisation
     * on a Netty event loop thread: every TLS context taps builds initialises one, so this sees a
     * context built on a loop without any hook in taps.
     */
    public static final class RecordingTrustManagerFactory extends javax.net.ssl.TrustManagerFactorySpi {
        static final List<String> ON_EVENT_LOOPS = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final javax.net.ssl.TrustManagerFactory delegate;

        public RecordingTrustManagerFactory() throws java.security.GeneralSecurityException {
            delegate = javax.net.ssl.TrustManagerFactory.getInstance("PKIX", "SunJSSE");
        }

        private static void record() {
            if (io.netty.util.internal.ThreadExecutorMap.currentExecutor() instanceof EventLoop) {
                ON_EVENT_LOOPS.add(Thread.currentThread().getName());
            }
        }

        @Override
        protected void engineInit(java.security.KeyStore keyStore) throws java.security.KeyStoreException {
            record();
            delegate.init(keyStore);
        }

        @Override
        protected void engineInit(javax.net.ssl.ManagerFactoryParameters parameters)
                throws java.security.InvalidAlgorithmParameterException {
            record();
            delegate.init(parameters);
        }

        @Override
        protected javax.net.ssl.TrustManager[] engineGetTrustManagers() {
            return delegate.getTrustManagers();
        }

        /** The provider that offers it first. */
        static final class Provider extends java.security.Provider {
            private static final long serialVersionUID = 1L;

            Provider() {
                super("taps-test-trust-recorder", "1.0", "records where trust managers are initialised");
                putService(new Service(this, "TrustManagerFactory", "PKIX",
                        RecordingTrustManagerFactory.class.getName(), List.of(), java.util.Map.of()));
            }
        }
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
            System.out.println("worst event loop delay: " + Duration.ofNanos(worst.get()).toMillis() + " ms");
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

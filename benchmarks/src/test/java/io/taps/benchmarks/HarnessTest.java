package io.taps.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.TransportServices;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.annotations.Param;

/**
 * Runs every benchmark state outside JMH, for every value of its {@code @Param}: setup, a few
 * operations, teardown. A broken harness fails here in seconds instead of in a 15-minute run;
 * nothing about timing is asserted.
 */
@Timeout(30)
class HarnessTest {
    private static final int OPERATIONS = 20;

    /** Every JMH state class of the suite; each has a {@code @Param String workload}. */
    private static final List<Class<?>> STATES = List.of(Flows.Taps.class, Flows.Netty.class,
            Connect.Taps.class, Connect.Netty.class, ProxyConnect.Taps.class, ProxyConnect.Netty.class,
            Flows.Reactor.class, Connect.Reactor.class, ProxyConnect.Reactor.class);

    static Stream<Arguments> states() {
        return STATES.stream().flatMap(type -> Arrays.stream(workloadField(type).getAnnotation(Param.class).value())
                .map(workload -> Arguments.of(type.getEnclosingClass().getSimpleName() + "." + type.getSimpleName(),
                        workload)));
    }

    @Test
    void rawSideUsesTheTransportAndTlsProviderTapsUses() {
        try (TransportServices taps = TapsFixture.create()) {
            assertThat(NettyFixture.transportName()).isEqualTo(taps.ioTransport());
            assertThat(Tls.provider().name().equals("JDK")).isEqualTo(taps.tlsProvider().startsWith("JDK"));
        }
    }

    /**
     * The taps side of the connect rows races (issue 21): the name resolves to both loopback
     * families, both are in the candidate tree, and the winner is a real connection to the server
     * on [::1] (ranked first), while raw Netty connects to 127.0.0.1.
     */
    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void tapsConnectRowsResolveBothFamiliesAndRace(boolean tls) {
        try (NettyFixture.Server server = NettyFixture.discardServer(tls ? Tls.serverContext() : null);
                TransportServices taps = TapsFixture.createResolvingLocalhostToBothFamilies()) {
            io.taps.Connection connection = TapsFixture.open(TapsFixture.byName(taps, server, tls), TapsFixture.NO_EVENTS);
            io.taps.monitor.EstablishmentReport report = connection.establishmentReport();
            TapsFixture.close(connection);
            assertThat(report.resolutions()).extracting(r -> r.family() + "=" + r.answers())
                    .containsExactlyInAnyOrder("AAAA=1", "A=1");
            assertThat(report.tree().get(0).stacks().get(0).addresses()).extracting(a -> a.getAddress().getHostAddress())
                    .containsExactly("0:0:0:0:0:0:0:1", "127.0.0.1");
            assertThat(report.winner()).hasValueSatisfying(winner ->
                    assertThat(winner.remote().getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1"));
            assertThat(server.address().getAddress().getHostAddress()).isEqualTo(NettyFixture.HOST);
            // The raw clients of the Connect rows connect where taps' race lands and verify the name taps verifies.
            assertThat(server.raceWinner().getAddress()).isEqualTo(report.winner().orElseThrow().remote().getAddress());
            assertThat(server.raceWinner().getPort()).isEqualTo(report.winner().orElseThrow().remote().getPort());
            assertThat(server.raceWinner().getHostString()).isEqualTo(NettyFixture.LOOPBACK_NAME);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("states")
    void setupOperationsTeardown(String name, String workload) throws Exception {
        Class<?> type = STATES.stream()
                .filter(t -> name.equals(t.getEnclosingClass().getSimpleName() + "." + t.getSimpleName()))
                .findFirst().orElseThrow();
        Object state = type.getConstructor().newInstance();
        workloadField(type).set(state, workload);
        if (state instanceof Flow) {
            run((Flow) state);
        } else {
            run((ConnectClose) state, workload.equals("TLS"));
        }
    }

    private static Field workloadField(Class<?> type) {
        try {
            return type.getField("workload");
        } catch (NoSuchFieldException e) {
            throw new AssertionError(type + " has no public @Param field 'workload'", e);
        }
    }

    /**
     * Figure 13: every client goes through all N candidates, the N-1 refusing loopback addresses
     * first, and ends on the one that answers (taps: its establishment report started N attempts;
     * raw Netty: N connects; Reactor Netty: connected to the last address).
     */
    @ParameterizedTest(name = "{0} candidates")
    @ValueSource(strings = {"1", "4", "16", "64"})
    void candidatesRaceThroughEveryLeaf(String leaves) {
        int n = Integer.parseInt(leaves);
        Candidates.Taps taps = new Candidates.Taps();
        taps.workload = leaves;
        taps.setup();
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(taps.connectAndClose()).isEqualTo(n);
            }
        } finally {
            taps.tearDown();
        }
        Candidates.Netty netty = new Candidates.Netty();
        netty.workload = leaves;
        netty.setup();
        try {
            assertThat(netty.connectAndClose()).isEqualTo(n);
        } finally {
            netty.tearDown();
        }
        Candidates.Reactor reactor = new Candidates.Reactor();
        reactor.workload = leaves;
        reactor.setup();
        try {
            assertThat(reactor.connectAndClose()).isEqualTo(reactor.server.address());
        } finally {
            reactor.tearDown();
        }
    }

    /**
     * Figure 12 with a small N: the server process of each kind accepts all N connections, every
     * sweep gets N echoes back, and the server reports a heap per connection and an RSS.
     */
    @ParameterizedTest(name = "{0} server")
    @ValueSource(strings = {"taps", "netty", "reactor"})
    @Timeout(60)
    void scaleServerHoldsAndEchoesOnEveryConnection(String kind) throws Exception {
        ScaleClients clients = switch (kind) {
            case "taps" -> {
                Scale.Taps state = new Scale.Taps();
                state.workload = "300";
                yield state;
            }
            case "netty" -> {
                Scale.Netty state = new Scale.Netty();
                state.workload = "300";
                yield state;
            }
            default -> {
                Scale.Reactor state = new Scale.Reactor();
                state.workload = "300";
                yield state;
            }
        };
        clients.setup();
        try {
            clients.sweep();
            clients.sweep();
            clients.measureServer();
            ScaleClients.ServerStats stats = ScaleClients.takeLastStats();
            assertThat(stats.connections()).isEqualTo(300);
            assertThat(stats.heapPerConnection()).isPositive();
            assertThat(stats.rssKib()).isPositive();
            // 600 echoes since the connections were all open: every server allocates something per echo
            assertThat(stats.allocationPerEcho()).isPositive().isLessThan(1_000_000);
            assertThat(ScaleClients.takeLastStats()).isNull();
        } finally {
            clients.tearDown();
        }
    }

    private static void run(Flow flow) throws InterruptedException {
        flow.setup();
        try {
            long before = Latency.ROUND_TRIPS.count();
            flow.batch(100);
            flow.batch(100);
            assertThat(Latency.ROUND_TRIPS.count() - before).isEqualTo(200);
        } finally {
            flow.tearDown();
        }
    }

    private static void run(ConnectClose connections, boolean tls) {
        connections.setup();
        try {
            for (int i = 0; i < OPERATIONS; i++) {
                connections.connectAndClose();
            }
            // Every operation made exactly one full handshake: none failed, none was resumed.
            assertThat(connections.serverHandshakes()).isEqualTo(tls ? OPERATIONS : 0);
            assertThat(connections.serverResumptions()).isZero();
        } finally {
            connections.tearDown();
        }
    }
}

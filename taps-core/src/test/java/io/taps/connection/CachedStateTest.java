package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.monitor.CachedState;
import io.taps.Connection;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.EstablishmentReport.Attempt;
import io.taps.monitor.EstablishmentReport.Outcome;
import io.taps.Listener;
import io.taps.monitor.PathStatistics;
import io.taps.RacingConfig;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.Blackhole;
import io.taps.testing.DnsFixture;
import io.taps.testing.IsolatedResolution;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cached state on real sockets (RFC 9623 §9; checklist M-64..M-67, C-10; design.md ): the
 * performance cache reorders the next race so that an address that went unanswered (a real
 * nftables blackhole) or refused is not tried first again; {@code isolateSession} neither reads nor
 * feeds the shared caches; DNS answers are cached and counted, and isolated Connections ask afresh.
 * Names come from the DNS fixture; timing is asserted on the establishment report only.
 */
class CachedStateTest {
    static final String DUAL = "dual.cache.test";
    static final Duration ATTEMPT_DELAY = RacingConfig.defaults().connectionAttemptDelay();
    static IsolatedResolution names;
    static DnsFixture dns;
    TransportServices taps;
    Listener listener;

    @BeforeAll
    static void startNames() throws Exception {
        names = IsolatedResolution.start();
        dns = names.dns();
        dns.aaaa(DUAL, "::1").a(DUAL, "127.0.0.1").ttl(DUAL, Duration.ofSeconds(60));
        dns.a("zero-ttl.cache.test", "127.0.0.1").ttl("zero-ttl.cache.test", Duration.ZERO);
        dns.a("short-ttl.cache.test", "127.0.0.1").ttl("short-ttl.cache.test", Duration.ofSeconds(1));
        dns.aaaa("fresh.cache.test", "::1").a("fresh.cache.test", "127.0.0.1")
                .ttl("fresh.cache.test", Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopNames() throws Exception {
        names.close();
    }

    @BeforeEach
    void start() {
        // A system per test: every test starts with empty caches.
        taps = names.transportServices().eventLoopThreads(2).build();
        listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(Echo::serve);
        Await.result(listener.ready());
    }

    @AfterEach
    void stop() {
        taps.close();
    }

    Connection connect(String name, boolean isolate) {
        Connection connection = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost(name, listener.port()))
                .properties(TransportProperties.builder().isolateSession(isolate).build()).build().initiate();
        Await.result(connection.ready());
        return connection;
    }

    static String host(Attempt attempt) {
        return attempt.candidate().remote().getAddress().getHostAddress();
    }

    static final String V6 = "0:0:0:0:0:0:0:1";

    Optional<PathStatistics> stats(String address) {
        InetSocketAddress remote = new InetSocketAddress(address, listener.port());
        return taps.cachedState().performance().stream().filter(s -> s.remote().equals(remote)).findFirst();
    }

    /** Closes and checks that the report's first started attempt went to {@code host}, with no attempt before it. */
    static EstablishmentReport reportOf(Connection connection) {
        EstablishmentReport report = connection.establishmentReport();
        connection.close();
        Await.result(connection.closed());
        return report;
    }

    /** The headline: after a blackholed first address, the next race starts on the address that answered. */
    @Test
    void theSecondRaceToABlackholedNameStartsOnTheAddressThatAnswered() {
        try (Blackhole hole = Blackhole.drop("::1", listener.port())) {
            EstablishmentReport first = reportOf(connect(DUAL, false));
            List<Attempt> firstStarted = first.startedAttempts();
            assertThat(firstStarted).extracting(CachedStateTest::host).containsExactly(V6, "127.0.0.1");
            assertThat(firstStarted).extracting(Attempt::outcome).containsExactly(Outcome.CANCELLED, Outcome.SUCCEEDED);
            assertThat(firstStarted.get(1).startOffset().orElseThrow().minus(firstStarted.get(0).startOffset()
                    .orElseThrow())).as("the first race waited one attempt delay for ::1").isGreaterThanOrEqualTo(
                    ATTEMPT_DELAY.minusMillis(5));
            assertThat(stats(V6)).hasValueSatisfying(s -> {
                assertThat(s.failures()).as("unanswered counts half").isBetween(0.45, 0.5);
                assertThat(s.successes()).isZero();
            });
            assertThat(stats("127.0.0.1")).hasValueSatisfying(s -> {
                assertThat(s.successes()).isBetween(0.95, 1.0);
                assertThat(s.establishmentTime()).isPresent();
                assertThat(s.smoothedRtt()).isPresent();
                assertThat(s.localNetwork()).as("the OS-chosen path, keyed on the attached network").startsWith("default");
            });

            EstablishmentReport second = reportOf(connect(DUAL, false));
            System.out.println(second);
            List<Attempt> started = second.startedAttempts();
            assertThat(started).as("only the address that answered was attempted").hasSize(1);
            assertThat(host(started.get(0))).isEqualTo("127.0.0.1");
            assertThat(started.get(0).outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(started.get(0).startOffset().orElseThrow()).as("no attempt delay spent on ::1")
                    .isLessThan(ATTEMPT_DELAY);
            // The blackholed address is still a candidate, ranked last, never started.
            assertThat(second.attempts()).extracting(CachedStateTest::host).containsExactly("127.0.0.1", V6);
            assertThat(second.attempts().get(1).outcome()).isEqualTo(Outcome.NOT_STARTED);
            assertThat(second.tree().get(0).stacks().get(0).addresses()).extracting(a -> a.getAddress().getHostAddress())
                    .containsExactly("127.0.0.1", V6);
        }
    }

    /** The same without root: a refused ::1 is a failure, so the next race does not start there either. */
    @Test
    void aRefusedAddressIsNotTriedFirstAgain() {
        EstablishmentReport first = reportOf(connect(DUAL, false));
        assertThat(first.startedAttempts()).extracting(Attempt::outcome).containsExactly(Outcome.FAILED,
                Outcome.SUCCEEDED);
        assertThat(stats(V6)).hasValueSatisfying(s -> assertThat(s.failures()).isBetween(0.95, 1.0));

        EstablishmentReport second = reportOf(connect(DUAL, false));
        assertThat(second.startedAttempts()).extracting(CachedStateTest::host).containsExactly("127.0.0.1");
        assertThat(second.startedAttempts().get(0).outcome()).isEqualTo(Outcome.SUCCEEDED);
    }

    @Test
    void anIsolatedConnectionIgnoresTheSharedPerformanceCacheAndDoesNotFeedIt() {
        reportOf(connect(DUAL, false));
        double failuresBefore = stats(V6).orElseThrow().failures();
        double successesBefore = stats("127.0.0.1").orElseThrow().successes();

        EstablishmentReport isolated = reportOf(connect(DUAL, true));
        assertThat(isolated.startedAttempts()).as("no ranking from the shared cache: ::1 first again")
                .extracting(CachedStateTest::host).containsExactly(V6, "127.0.0.1");
        // Decay only lowers the counts; an isolated outcome fed in would have raised them by one.
        assertThat(stats(V6).orElseThrow().failures()).isLessThanOrEqualTo(failuresBefore);
        assertThat(stats("127.0.0.1").orElseThrow().successes()).isLessThanOrEqualTo(successesBefore);
        assertThat(taps.cachedState().performance()).hasSize(2);
    }

    @Test
    void anIsolatedConnectionDoesNotUseTheBlackholeLessonEither() {
        try (Blackhole hole = Blackhole.drop("::1", listener.port())) {
            reportOf(connect(DUAL, false));
            EstablishmentReport isolated = reportOf(connect(DUAL, true));
            List<Attempt> started = isolated.startedAttempts();
            assertThat(started).extracting(CachedStateTest::host).containsExactly(V6, "127.0.0.1");
            assertThat(started.get(0).outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(stats(V6).orElseThrow().failures()).as("the isolated blackhole lesson stayed private")
                    .isLessThanOrEqualTo(0.5);
        }
    }

    @Test
    void dnsAnswersAreCachedAndCountedAndIsolatedConnectionsAskAgain() {
        String name = "fresh.cache.test";
        int before = dns.queryCount(name);
        reportOf(connect(name, false));
        int afterFirst = dns.queryCount(name);
        assertThat(afterFirst - before).as("A and AAAA asked once").isEqualTo(2);
        assertThat(taps.cachedState().dnsEntries()).as("(name, family) pairs cached").isEqualTo(2);

        reportOf(connect(name, false));
        assertThat(dns.queryCount(name)).as("answered from the cache").isEqualTo(afterFirst);

        reportOf(connect(name, true));
        assertThat(dns.queryCount(name)).as("an isolated Connection asks DNS afresh").isEqualTo(afterFirst + 2);
        assertThat(taps.cachedState().dnsEntries()).isEqualTo(2);
    }

    @Test
    void dnsAnswersCountOnlyWhileTheirTtlLasts() {
        reportOf(connect("zero-ttl.cache.test", false));
        assertThat(taps.cachedState().dnsEntries()).as("a TTL of 0 is not cached").isZero();
        reportOf(connect("short-ttl.cache.test", false));
        assertThat(taps.cachedState().dnsEntries()).as("the A answer, for one second").isEqualTo(1);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> taps.cachedState().dnsEntries() == 0);
        int queries = dns.queryCount("short-ttl.cache.test");
        reportOf(connect("short-ttl.cache.test", false));
        assertThat(dns.queryCount("short-ttl.cache.test")).as("expired: asked again").isGreaterThan(queries);
    }

    @Test
    void clearForgetsPerformanceAndDnsAnswers() {
        reportOf(connect(DUAL, false));
        CachedState state = taps.cachedState();
        assertThat(state.performance()).isNotEmpty();
        assertThat(state.dnsEntries()).isPositive();
        state.clear();
        assertThat(state.performance()).isEmpty();
        assertThat(state.dnsEntries()).isZero();
        int queries = dns.queryCount(DUAL);
        EstablishmentReport again = reportOf(connect(DUAL, false));
        assertThat(dns.queryCount(DUAL)).as("asked again after clear()").isEqualTo(queries + 2);
        assertThat(again.startedAttempts()).extracting(CachedStateTest::host).as("ranking forgotten")
                .containsExactly(V6, "127.0.0.1");
    }

    @Test
    void aCacheOfSizeZeroRanksNothing() {
        taps.close();
        taps = names.transportServices().eventLoopThreads(2).performanceCacheSize(0).build();
        listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(Echo::serve);
        Await.result(listener.ready());
        reportOf(connect(DUAL, false));
        EstablishmentReport second = reportOf(connect(DUAL, false));
        assertThat(second.startedAttempts()).extracting(CachedStateTest::host).containsExactly(V6, "127.0.0.1");
        assertThat(taps.cachedState().performance()).isEmpty();
    }
}

package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.dns.DnsRecordType;
import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.EstablishmentReport.Attempt;
import io.taps.monitor.EstablishmentReport.Outcome;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.Preference;
import io.taps.properties.TransportProperties;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.Blackhole;
import io.taps.testing.DnsFixture;
import io.taps.testing.IsolatedResolutionTestSupport;
import io.taps.testing.LoopbackPorts;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Candidate racing on real sockets (RFC 9623 §4.2–§4.3, RFC 8305, design.md Q-2): names come from
 * {@link DnsFixture} (never the machine's resolver), servers listen on loopback, and blackholes are
 * real nftables DROP rules on test ports ({@link Blackhole}). Timing is asserted on the
 * establishment report, never on wall-clock sleeps.
 */
class RacingTest extends IsolatedResolutionTestSupport {
    static final String DUAL = "dual.race.test";

    @BeforeAll
    static void records() {
        dns.aaaa(DUAL, "::1").a(DUAL, "127.0.0.1");
        dns.aaaa("slow-aaaa.race.test", "::1").a("slow-aaaa.race.test", "127.0.0.1")
                .delay("slow-aaaa.race.test", DnsRecordType.AAAA, Duration.ofMillis(1500));
        dns.aaaa("late-aaaa.race.test", "::1").a("late-aaaa.race.test", "127.0.0.1")
                .delay("late-aaaa.race.test", DnsRecordType.AAAA, Duration.ofMillis(400));
        dns.aaaa("cached.race.test", "::1").a("cached.race.test", "127.0.0.1")
                .ttl("cached.race.test", Duration.ofSeconds(60));
        dns.aaaa("uncached.race.test", "::1").a("uncached.race.test", "127.0.0.1")
                .ttl("uncached.race.test", Duration.ZERO);
    }

    static Listener tcpEcho() {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(Echo::serve);
        Await.result(listener.ready());
        return listener;
    }

    static String echo(Connection connection, String text) {
        Await.result(connection.send(text));
        StringBuilder echoed = new StringBuilder();
        while (echoed.length() < text.length()) {
            echoed.append(Await.result(connection.receive()).asString());
        }
        return echoed.toString();
    }

    static long millis(Attempt attempt) {
        return attempt.startOffset().orElseThrow().toMillis();
    }

    static String host(Attempt attempt) {
        return attempt.candidate().remote().getAddress().getHostAddress();
    }

    /** The Must-show of issue 3: with the first address blackholed, Ready after about one attempt delay. */
    @Test
    void blackholedFirstAddressIsOvertakenAfterOneAttemptDelay() {
        try (Listener listener = tcpEcho(); Blackhole hole = Blackhole.drop("::1", listener.port())) {
            Connection connection = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost(DUAL, listener.port())).build()
                    .initiate();
            Await.result(connection.ready());
            EstablishmentReport report = connection.establishmentReport();
            System.out.println(report);
            List<Attempt> started = report.startedAttempts();
            assertThat(started).hasSize(2);
            assertThat(host(started.get(0))).isEqualTo("0:0:0:0:0:0:0:1");
            assertThat(host(started.get(1))).isEqualTo("127.0.0.1");
            // The SYN to ::1 was never answered: the attempt did not end by itself, it lost.
            assertThat(started.get(0).outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(started.get(1).outcome()).isEqualTo(Outcome.SUCCEEDED);
            long gap = millis(started.get(1)) - millis(started.get(0));
            assertThat(gap).as("second attempt one connection attempt delay (250 ms) after the first")
                    .isBetween(245L, 1500L);
            assertThat(report.winner()).map(w -> w.remote().getAddress().getHostAddress()).contains("127.0.0.1");
            assertThat(report.finished()).isTrue();
            // A sequential connect would still be waiting for its 30 s connect timeout on ::1.
            assertThat(report.elapsed()).isLessThan(Duration.ofSeconds(5));
            assertThat(report.resolutions()).extracting(EstablishmentReport.Resolution::family)
                    .containsExactlyInAnyOrder("AAAA", "A");
            assertThat(report.toString()).contains("CANCELLED", "SUCCEEDED", "[::1]:" + listener.port());
            assertThat(echo(connection, "raced")).isEqualTo("raced");
            connection.close();
            Await.result(connection.closed());
        }
    }

    @Test
    void refusedFirstAddressHandsOverAtOnce() {
        try (Listener listener = tcpEcho()) {
            Connection connection = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost(DUAL, listener.port())).build()
                    .initiate();
            Await.result(connection.ready());
            List<Attempt> started = connection.establishmentReport().startedAttempts();
            assertThat(started).hasSize(2);
            assertThat(started.get(0).outcome()).isEqualTo(Outcome.FAILED);
            assertThat(started.get(0).reason()).contains(ErrorReason.ESTABLISHMENT_FAILED);
            long firstEnded = millis(started.get(0)) + started.get(0).duration().orElseThrow().toMillis();
            assertThat(millis(started.get(1)) - firstEnded).as("next attempt starts when the first fails")
                    .isLessThan(100L);
            assertThat(millis(started.get(1))).isLessThan(245L);
            connection.abort();
        }
    }

    @Test
    void aaaaLateBeyondTheResolutionDelayLetsIpv4RaceFirst() {
        try (Listener listener = tcpEcho()) {
            Connection connection = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofHost("slow-aaaa.race.test", listener.port())).build().initiate();
            Await.result(connection.ready());
            EstablishmentReport report = connection.establishmentReport();
            List<Attempt> started = report.startedAttempts();
            assertThat(host(started.get(0))).isEqualTo("127.0.0.1");
            EstablishmentReport.Resolution a = report.resolutions().stream().filter(r -> r.family().equals("A"))
                    .findFirst().orElseThrow();
            // Racing waited the 50 ms resolution delay for AAAA, then went ahead without it.
            assertThat(millis(started.get(0))).isGreaterThanOrEqualTo(a.elapsed().toMillis() + 45)
                    .isLessThan(1500L);
            assertThat(report.resolutions()).noneMatch(r -> r.family().equals("AAAA"));
            connection.abort();
        }
    }

    /** HEv3: an AAAA answer arriving after racing began on IPv4 joins the running race. */
    @Test
    void lateAaaaAnswerJoinsTheRunningRace() {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("::1", 0)).build().listen(Echo::serve);
        Await.result(listener.ready());
        try (listener; Blackhole hole = Blackhole.drop("127.0.0.1", listener.port())) {
            Connection connection = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofHost("late-aaaa.race.test", listener.port())).build().initiate();
            Await.result(connection.ready());
            EstablishmentReport report = connection.establishmentReport();
            System.out.println(report);
            List<Attempt> started = report.startedAttempts();
            assertThat(started).extracting(RacingTest::host).containsExactly("127.0.0.1", "0:0:0:0:0:0:0:1");
            assertThat(started.get(0).outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(started.get(1).outcome()).isEqualTo(Outcome.SUCCEEDED);
            EstablishmentReport.Resolution aaaa = report.resolutions().stream()
                    .filter(r -> r.family().equals("AAAA")).findFirst().orElseThrow();
            assertThat(millis(started.get(0))).isLessThan(aaaa.elapsed().toMillis());
            // The IPv6 leaf started when its answer came (the stagger since the IPv4 start was over).
            assertThat(millis(started.get(1))).isGreaterThanOrEqualTo(aaaa.elapsed().toMillis())
                    .isGreaterThanOrEqualTo(millis(started.get(0)) + 245);
            connection.abort();
        }
    }

    @Test
    void answersAreCachedForTheirTtl() {
        try (Listener listener = tcpEcho()) {
            for (int i = 0; i < 2; i++) {
                for (String name : List.of("cached.race.test", "uncached.race.test")) {
                    Connection connection = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost(name, listener.port()))
                            .build().initiate();
                    Await.result(connection.ready());
                    connection.abort();
                }
            }
            assertThat(dns.queryCount("cached.race.test", DnsRecordType.A)).isEqualTo(1);
            assertThat(dns.queryCount("cached.race.test", DnsRecordType.AAAA)).isEqualTo(1);
            assertThat(dns.queryCount("uncached.race.test", DnsRecordType.A)).isEqualTo(2);
            assertThat(dns.queryCount("uncached.race.test", DnsRecordType.AAAA)).isEqualTo(2);
        }
    }

    @Test
    void timeoutWhileEveryAddressIsBlackholedCarriesEveryCause() throws Exception {
        int port = LoopbackPorts.unused();
        try (Blackhole hole = Blackhole.drop("::1", port).also("127.0.0.1")) {
            RecordingHandler events = new RecordingHandler();
            Connection connection = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost(DUAL, port)).build()
                    .initiate(Duration.ofMillis(800), events);
            Throwable failure = Await.failure(connection.ready());
            assertThat(failure).isInstanceOf(TransportServicesException.class);
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.TIMEOUT);
            EstablishmentReport report = connection.establishmentReport();
            assertThat(report.startedAttempts()).hasSize(2).allSatisfy(attempt -> {
                assertThat(attempt.outcome()).isEqualTo(Outcome.CANCELLED);
                assertThat(attempt.reason()).contains(ErrorReason.TIMEOUT);
            });
            assertThat(report.winner()).isEmpty();
            assertThat(events.events()).containsExactly("EstablishmentError:Timeout");
        }
    }

    @Test
    void abortWhileRacingCancelsEveryAttempt() throws Exception {
        int port = LoopbackPorts.unused();
        try (Blackhole hole = Blackhole.drop("::1", port).also("127.0.0.1")) {
            Connection connection = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost(DUAL, port)).build().initiate();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> connection.establishmentReport().startedAttempts().size() == 2);
            connection.abort();
            await().atMost(Duration.ofSeconds(10)).until(() -> connection.establishmentReport().finished());
            assertThat(connection.establishmentReport().startedAttempts())
                    .allSatisfy(attempt -> assertThat(attempt.outcome()).isEqualTo(Outcome.CANCELLED));
        }
    }

    /** C-08: a secure stack that fails is never replaced by a cleartext one, and never raced against one. */
    @Test
    void badCertificateEndsInEstablishmentErrorNeverInCleartext() {
        SecurityParameters serverSecurity = SecurityParameters.builder()
                .identity(Identity.of(TestPki.SERVER_FROM_OTHER.getKeyPair().getPrivate(),
                        TestPki.SERVER_FROM_OTHER.getCertificatePath())).build();
        try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(serverSecurity).build().listen(Echo::serve)) {
            Await.result(listener.ready());
            Connection connection = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(TransportProperties.builder().reliability(Preference.NO_PREFERENCE)
                            .preserveOrder(Preference.NO_PREFERENCE).congestionControl(Preference.NO_PREFERENCE)
                            .build())
                    .security(SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate()).build())
                    .build().initiate();
            Throwable failure = Await.failure(connection.ready());
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.SECURITY_FAILED);
            EstablishmentReport report = connection.establishmentReport();
            assertThat(report.tree()).allSatisfy(path -> assertThat(path.stacks())
                    .extracting(EstablishmentReport.StackBranch::stack).containsOnly("TLS/TCP"));
            assertThat(report.attempts()).extracting(attempt -> attempt.candidate().stack()).containsOnly("TLS/TCP");
            assertThat(connection.protocolStack()).isEmpty();
        }
    }

    /** Protocol racing: stacks the properties allow equally race each other, all cleartext (C-08). */
    @Test
    void stacksRankedEquallyRaceEachOther() {
        try (Listener listener = tcpEcho()) {
            TransportProperties either = TransportProperties.builder().reliability(Preference.NO_PREFERENCE)
                    .preserveOrder(Preference.NO_PREFERENCE).congestionControl(Preference.NO_PREFERENCE)
                    .preserveMsgBoundaries(Preference.NO_PREFERENCE).multistreaming(Preference.NO_PREFERENCE)
                    .fullChecksumSend(Preference.NO_PREFERENCE).fullChecksumRecv(Preference.NO_PREFERENCE)
                    .set("safelyReplayable", true).build();
            Connection connection = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).properties(either).build()
                    .initiate();
            Await.result(connection.ready());
            EstablishmentReport report = connection.establishmentReport();
            System.out.println(report);
            assertThat(report.tree().get(0).stacks()).extracting(EstablishmentReport.StackBranch::stack)
                    .containsExactlyInAnyOrder("TCP", "UDP");
            connection.abort();
        }
    }

    /**
     * Prefer only orders stacks (RFC 9622 §6.2): when the preferred stack does not answer, the
     * lower-ranked stack that meets every requirement starts one protocol delay later and wins.
     */
    @Test
    void lowerRankedStackIsTriedWhenThePreferredOneDoesNotAnswer() {
        Listener udpEcho = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.unreliableDatagram()).build().listen(Echo::serve);
        Await.result(udpEcho.ready());
        try (udpEcho; Blackhole hole = Blackhole.drop("127.0.0.1", udpEcho.port())) {
            TransportProperties preferReliable = TransportProperties.builder().reliability(Preference.PREFER)
                    .preserveOrder(Preference.NO_PREFERENCE).congestionControl(Preference.NO_PREFERENCE)
                    .set("safelyReplayable", true).build();
            Connection connection = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", udpEcho.port())).properties(preferReliable).build()
                    .initiate();
            Await.result(connection.ready());
            EstablishmentReport report = connection.establishmentReport();
            List<Attempt> started = report.startedAttempts();
            assertThat(started).extracting(attempt -> attempt.candidate().stack()).containsExactly("TCP", "UDP");
            assertThat(started.get(0).outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(started.get(1).outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(millis(started.get(1)) - millis(started.get(0))).isBetween(245L, 1500L);
            assertThat(connection.protocolStack()).contains("UDP");
            assertThat(echo(connection, "fallback")).isEqualTo("fallback");
            connection.abort();
        }
    }

    /** M-45: a message that is not safely replayable waits for Ready and reaches only the winner. */
    @Test
    void notReplayableFirstMessageNeverReachesALosingAttempt() throws Exception {
        SecurityParameters serverSecurity = SecurityParameters.builder()
                .identity(Identity.of(TestPki.SERVER.getKeyPair().getPrivate(), TestPki.SERVER.getCertificatePath()))
                .build();
        try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(serverSecurity).build().listen(Echo::serve)) {
            Await.result(listener.ready());
            // On ::1 the same port accepts TCP but never answers the TLS handshake: that attempt loses.
            try (ServerSocket silent = new ServerSocket()) {
                silent.bind(new InetSocketAddress(InetAddress.getByName("::1"), listener.port()));
                ByteArrayOutputStream seen = new ByteArrayOutputStream();
                Thread reader = new Thread(() -> {
                    try (Socket socket = silent.accept(); InputStream in = socket.getInputStream()) {
                        byte[] buffer = new byte[4096];
                        for (int n; (n = in.read(buffer)) > 0; ) {
                            synchronized (seen) {
                                seen.write(buffer, 0, n);
                            }
                        }
                    } catch (Exception ignored) {
                        // closed by the cancelled attempt or by the test
                    }
                }, "silent-peer");
                reader.setDaemon(true);
                reader.start();
                Connection connection = taps.preconnection()
                        .remote(RemoteEndpoint.ofHost("localhost", listener.port()))
                        .security(SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate()).build())
                        .build().initiateWithSend(Message.of("secret-first-message"), new RecordingHandler());
                Await.result(connection.ready());
                StringBuilder echoed = new StringBuilder();
                while (echoed.length() < "secret-first-message".length()) {
                    echoed.append(Await.result(connection.receive()).asString());
                }
                assertThat(echoed).hasToString("secret-first-message");
                List<Attempt> started = connection.establishmentReport().startedAttempts();
                assertThat(started).hasSize(2);
                assertThat(host(started.get(0))).isEqualTo("0:0:0:0:0:0:0:1");
                assertThat(started.get(0).outcome()).isEqualTo(Outcome.CANCELLED);
                assertThat(started).noneMatch(Attempt::earlyData);
                reader.join(5000);
                String loserSaw;
                synchronized (seen) {
                    loserSaw = seen.toString(StandardCharsets.ISO_8859_1);
                }
                assertThat(loserSaw).as("the losing attempt got a ClientHello").isNotEmpty();
                assertThat(loserSaw).doesNotContain("secret-first-message");
                connection.abort();
            }
        }
    }

    @Test
    void listenerAcceptedConnectionsReportTheAcceptedStack() {
        java.util.concurrent.CompletableFuture<Connection> accepted = new java.util.concurrent.CompletableFuture<>();
        try (Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(accepted::complete)) {
            Await.result(listener.ready());
            Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .build().initiate();
            Await.result(client.ready());
            EstablishmentReport report = Await.result(accepted).establishmentReport();
            assertThat(report.attempts()).isEmpty();
            assertThat(report.winner()).map(EstablishmentReport.Candidate::stack).contains("TCP");
            assertThat(client.establishmentReport().startedAttempts()).hasSize(1);
            client.abort();
        }
    }

    /** The path level: interface=lo Required binds each attempt to an address of lo; pvd is noted, not applied. */
    @Test
    void interfacePreferenceBuildsThePathLevel() {
        try (Listener listener = tcpEcho()) {
            Connection connection = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost(DUAL, listener.port()))
                    .properties(TransportProperties.builder().interfacePreference("lo", Preference.REQUIRE)
                            .pvdPreference("example.pvd", Preference.PREFER).build())
                    .build().initiate();
            Await.result(connection.ready());
            EstablishmentReport report = connection.establishmentReport();
            System.out.println(report);
            assertThat(report.tree()).extracting(EstablishmentReport.PathBranch::path)
                    .contains("lo 127.0.0.1", "lo ::1");
            assertThat(report.winner().orElseThrow().path()).isEqualTo("lo 127.0.0.1");
            assertThat(connection.localEndpoint().orElseThrow().ipAddress()).contains(InetAddress.getLoopbackAddress());
            assertThat(report.notes()).anySatisfy(note -> assertThat(note).contains("pvd"));
            connection.abort();
        }
    }

    /** TransportServices.Builder.racing: the configured attempt delay is the one the race uses. */
    @Test
    void configuredAttemptDelayIsUsed() {
        try (TransportServices slow = names.transportServices().eventLoopThreads(1)
                .racing(io.taps.RacingConfig.builder().connectionAttemptDelay(Duration.ofMillis(600)).build()).build();
                Listener listener = tcpEcho(); Blackhole hole = Blackhole.drop("::1", listener.port())) {
            Connection connection = slow.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost(DUAL, listener.port())).build()
                    .initiate();
            Await.result(connection.ready());
            List<Attempt> started = connection.establishmentReport().startedAttempts();
            assertThat(millis(started.get(1)) - millis(started.get(0))).isBetween(595L, 2000L);
            connection.abort();
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TransportServices.builder().racing(null))
                .isInstanceOf(TransportServicesException.class);
    }

    /**
     * An abort issued on the connection's own event loop right after initiate (an application whose
     * events run on the loop, initiating from a callback) runs before the establishment's first
     * task. The establishment must not start attempts afterwards: before the fix it raced anyway,
     * opened a socket to the peer and adopted it into the aborted Connection (Ready after
     * ConnectionError, a channel nobody would close).
     */
    @Test
    void abortBeforeTheEstablishmentTaskRanStartsNoAttempt() throws Exception {
        try (TransportServices sameLoop = TransportServices.builder().eventLoopThreads(1)
                .eventExecutor(Runnable::run).build();
                ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(10_000);
            RemoteEndpoint remote = RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort());
            RecordingHandler events = new RecordingHandler();
            java.util.concurrent.CompletableFuture<Connection> second = new java.util.concurrent.CompletableFuture<>();
            // The Ready event runs on the event loop (direct event executor); a ready() stage could
            // already be complete when chained and then run its action on the test thread instead.
            Connection first = sameLoop.preconnection().security(SecurityParameters.disabled()).remote(remote).build().initiate(new io.taps.ConnectionEventHandler() {
                @Override
                public void ready(Connection ready) {
                    Connection aborted = sameLoop.preconnection().security(SecurityParameters.disabled()).remote(remote).build().initiate(events);
                    aborted.abort();
                    second.complete(aborted);
                }
            });
            Socket accepted = server.accept();
            Connection aborted = Await.result(second);
            Await.result(events.terminal);
            server.setSoTimeout(1_000);
            assertThat(org.assertj.core.api.Assertions.catchThrowable(server::accept))
                    .as("no attempt may connect for an aborted Connection")
                    .isInstanceOf(java.net.SocketTimeoutException.class);
            assertThat(events.events()).doesNotContain("Ready");
            assertThat(aborted.establishmentReport().attempts()).isEmpty();
            accepted.close();
            first.abort();
        }
    }
}

package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.dns.DnsRecordType;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.EstablishmentReport.Attempt;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import io.taps.testing.Await;
import io.taps.testing.IsolatedResolutionTestSupport;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import io.netty.pkitesting.X509Bundle;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTPS records (RFC 9460) as input to candidate gathering (RFC 9623 §4.2,
 * draft-ietf-happy-happyeyeballs-v3), against the in-process {@link io.taps.testing.DnsFixture}:
 * a record naming the application's ALPN makes QUIC the first branch, to the record's port; a slow
 * HTTPS answer holds the race at most one resolution delay. {@link ServiceBindingNamespaceTest}
 * runs the same against a real dnsmasq.
 */
class ServiceBindingTest extends IsolatedResolutionTestSupport {
    static final String ALPN = "taps-svcb";
    private static final X509Bundle CERT = TestPki.serverFor("quic.svcb.test", "slow.svcb.test", "plain.svcb.test");
    private static Listener tls;
    private static Listener quic;

    @BeforeAll
    static void listeners() {
        // TLS/TCP on one port, QUIC on another: only the HTTPS record's port leads to the QUIC one.
        tls = listen(TransportProperties.builder().prohibit(Property.MULTISTREAMING).build());
        quic = listen(TransportProperties.builder().require(Property.MULTISTREAMING).build());
        assertThat(tls.protocolStack()).isEqualTo("TLS/TCP");
        assertThat(quic.protocolStack()).isEqualTo("QUIC");
        for (String name : List.of("quic.svcb.test", "slow.svcb.test", "plain.svcb.test")) {
            dns.a(name, "127.0.0.1").aaaa(name);
        }
        dns.https("_" + tls.port() + "._https.quic.svcb.test",
                "1 . alpn=" + ALPN + ",h2 port=" + quic.port() + " ech=AEX+DQBBpQAgACD7");
        dns.https("_" + tls.port() + "._https.slow.svcb.test", "1 . alpn=" + ALPN + " port=" + quic.port());
        dns.delay("_" + tls.port() + "._https.slow.svcb.test", DnsRecordType.HTTPS, Duration.ofSeconds(30));
    }

    @AfterAll
    static void closeListeners() {
        tls.close();
        quic.close();
    }

    static SecurityParameters server(X509Bundle cert) {
        return SecurityParameters.builder()
                .identity(Identity.of(cert.getKeyPair().getPrivate(), cert.getCertificatePath()))
                .allowedProtocols(TlsVersion.TLS_1_3).alpn(ALPN).build();
    }

    static SecurityParameters client() {
        return SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate())
                .allowedProtocols(TlsVersion.TLS_1_3).alpn(ALPN).build();
    }

    private static Listener listen(TransportProperties properties) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).properties(properties)
                .security(server(CERT)).build().listen(Echo::serve);
        Await.result(listener.ready());
        return listener;
    }

    private static Connection connect(String name) {
        Connection connection = taps.preconnection().remote(RemoteEndpoint.ofHost(name, tls.port()))
                .security(client()).build().initiate(new RecordingHandler());
        Await.result(connection.ready());
        return connection;
    }

    private static String describe(Attempt attempt) {
        return attempt.candidate().stack() + " " + attempt.candidate().remote().getPort();
    }

    @Test
    void anHttpsRecordNamingTheApplicationsAlpnSendsQuicFirstToTheRecordsPortAndQuicWins() {
        Connection connection = connect("quic.svcb.test");
        EstablishmentReport report = connection.establishmentReport();
        assertThat(connection.protocolStack()).as(report.toString()).contains("QUIC");
        assertThat(report.startedAttempts().get(0).candidate().stack()).as(report.toString()).isEqualTo("QUIC");
        assertThat(report.startedAttempts().get(0).candidate().remote().getPort()).isEqualTo(quic.port());
        assertThat(report.winner().orElseThrow().remote().getPort()).isEqualTo(quic.port());
        // The tree keeps TLS/TCP, at the origin's port, as the second branch.
        assertThat(report.tree().get(0).stacks()).extracting(EstablishmentReport.StackBranch::stack)
                .containsExactly("QUIC", "TLS/TCP");
        assertThat(report.tree().get(0).stacks().get(1).addresses()).extracting(a -> a.getPort())
                .containsOnly(tls.port());
        assertThat(report.resolutions()).extracting(EstablishmentReport.Resolution::family).contains("HTTPS");
        assertThat(String.join("\n", report.notes())).as("ECH recorded, not used")
                .contains("ech config of").contains("raced first: QUIC");
        assertThat(QuicRacingTest.echo(connection, "over the record")).isEqualTo("over the record");
        connection.close();
        Await.result(connection.closed());
    }

    @Test
    void withoutAnHttpsRecordTheReportIsTodaysBothStacksAtTheOriginPort() {
        Connection connection = connect("plain.svcb.test");
        EstablishmentReport report = connection.establishmentReport();
        // Today's order: QUIC ranks first among equally secure stacks, but the origin's port has
        // no QUIC listener, so TLS/TCP wins one protocol delay later.
        assertThat(connection.protocolStack()).as(report.toString()).contains("TLS/TCP");
        assertThat(report.startedAttempts()).extracting(ServiceBindingTest::describe)
                .containsExactly("QUIC " + tls.port(), "TLS/TCP " + tls.port());
        assertThat(report.tree().get(0).stacks()).extracting(EstablishmentReport.StackBranch::stack)
                .containsExactly("QUIC", "TLS/TCP");
        assertThat(report.resolutions()).extracting(EstablishmentReport.Resolution::family)
                .containsExactlyInAnyOrder("AAAA", "A");
        assertThat(report.notes()).isEmpty();
        assertThat(dns.queryCount("_" + tls.port() + "._https.plain.svcb.test", DnsRecordType.HTTPS))
                .as("the record was asked for").isPositive();
        connection.close();
        Await.result(connection.closed());
    }

    @Test
    void aSlowHttpsAnswerHoldsTheRaceAtMostOneResolutionDelay() {
        Connection connection = connect("slow.svcb.test");
        EstablishmentReport report = connection.establishmentReport();
        assertThat(connection.protocolStack()).as(report.toString()).contains("TLS/TCP");
        assertThat(dns.queryCount("_" + tls.port() + "._https.slow.svcb.test", DnsRecordType.HTTPS))
                .as("the record was asked for").isPositive();
        assertThat(report.resolutions()).extracting(EstablishmentReport.Resolution::family)
                .as("its answer never came").doesNotContain("HTTPS");
        // Not a speed claim: the race did not wait for the answer (30 s) nor for the query to time
        // out (2 s): it started one resolution delay (50 ms) after the addresses at the latest.
        assertThat(report.startedAttempts().get(0).startOffset().orElseThrow())
                .isLessThan(Duration.ofMillis(1500));
        connection.close();
        Await.result(connection.closed());
    }
}

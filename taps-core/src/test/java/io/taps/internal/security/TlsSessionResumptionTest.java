package io.taps.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.taps.Connection;
import io.taps.TransportServices;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.cache.CacheScope;
import io.taps.internal.cache.PerformanceCache;
import io.taps.properties.TransportProperties;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.IsolatedResolution;
import io.taps.testing.TestPki;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TLS session resumption through taps' own TLS client across Connections (RFC 9623 §9.1 "Protocol
 * State Caches": TLS session state by hostname; checklist M-64, M-65, M-66, C-10; design.md Q-18),
 * and its isolation by {@code isolateSession} (RFC 9622 §8.1.10, CP-10). The server is raw Netty on
 * BoringSSL because only its engine tells whether a handshake resumed; names resolve through the
 * DNS fixture, all to 127.0.0.1, and one certificate covers both names.
 */
class TlsSessionResumptionTest {
    static final String ONE = "one.tls.test";
    static final String TWO = "two.tls.test";
    /** Each test gets client parameters of its own, so no other test's cached context or session interferes. */
    static final AtomicInteger LIFETIME = new AtomicInteger(7200);
    static IsolatedResolution names;
    static TransportServices taps;
    static TlsPeers peers;
    static X509Bundle certificate;
    TlsPeers.Server server;
    SecurityParameters client;

    @BeforeAll
    static void start() throws Exception {
        names = IsolatedResolution.start();
        names.dns().a(ONE, "127.0.0.1").a(TWO, "127.0.0.1");
        taps = names.transportServices().eventLoopThreads(2).build();
        peers = new TlsPeers();
        Instant now = Instant.now();
        certificate = new CertificateBuilder().notBefore(now.minus(1, ChronoUnit.DAYS))
                .notAfter(now.plus(1, ChronoUnit.DAYS)).ecp256().subject("CN=" + ONE).addSanDnsName(ONE)
                .addSanDnsName(TWO).addExtendedKeyUsageServerAuth().buildIssuedBy(TestPki.ROOT);
    }

    @AfterAll
    static void stop() throws Exception {
        taps.close();
        peers.close();
        names.close();
    }

    @BeforeEach
    void server() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "the server needs BoringSSL to report resumption");
        SecurityParameters serverSecurity = SecurityParameters.builder()
                .identity(Identity.of(certificate.getKeyPair().getPrivate(), certificate.getCertificatePath())).build();
        server = peers.server(SslContexts.forServer(serverSecurity, SslProvider.OPENSSL));
        client = SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate())
                .cachedSessionLifetime(Duration.ofSeconds(LIFETIME.incrementAndGet())).build();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** One TLS connection through taps; whether the server saw it resume a session. */
    boolean resumed(String name, boolean isolate) throws Exception {
        Connection connection = taps.preconnection().remote(RemoteEndpoint.ofHost(name, server.port()))
                .properties(TransportProperties.builder().isolateSession(isolate).build())
                .security(client).build().initiate();
        // The echo makes sure the TLS 1.3 session ticket arrived before the connection closes.
        boolean resumed = exchangeAndCheck(connection);
        connection.close();
        Await.result(connection.closed());
        return resumed;
    }

    @Test
    void theNextConnectionToTheSameNameResumesAndAnotherNameDoesNot() throws Exception {
        assertThat(resumed(ONE, false)).as("first connection to " + ONE).isFalse();
        assertThat(resumed(ONE, false)).as("second connection to " + ONE).isTrue();
        // Same server, same address and port, same TLS context: only the name differs.
        assertThat(resumed(TWO, false)).as("first connection to " + TWO).isFalse();
        assertThat(resumed(TWO, false)).as("second connection to " + TWO).isTrue();
        assertThat(taps.cachedState().tlsSessions()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anIsolatedConnectionNeitherResumesNorLeaksSessions() throws Exception {
        assertThat(resumed(ONE, false)).isFalse();
        assertThat(resumed(ONE, true)).as("isolated: no session from outside").isFalse();
        assertThat(resumed(ONE, true)).as("each isolated Connection is its own scope").isFalse();
        assertThat(resumed(ONE, false)).as("the shared cache still has its own session").isTrue();
        // A name only isolated Connections visited has no shared session.
        assertThat(resumed(TWO, true)).isFalse();
        assertThat(resumed(TWO, false)).as("the isolated session did not leak into the shared cache").isFalse();
    }

    /** Echoes once so the TLS 1.3 ticket has arrived, then reports whether the server saw a resumption. */
    boolean exchangeAndCheck(Connection connection) throws Exception {
        Await.result(connection.ready());
        Await.result(connection.send("ticket?"));
        StringBuilder echoed = new StringBuilder();
        while (echoed.length() < "ticket?".length()) {
            echoed.append(Await.result(connection.receive()).asString());
        }
        TlsPeers.Outcome outcome = server.nextHandshake();
        assertThat(outcome.cause).isNull();
        return outcome.resumed;
    }

    @Test
    void anIsolatedGroupResumesItsOwnSessionInAClone() throws Exception {
        Connection original = taps.preconnection().remote(RemoteEndpoint.ofHost(ONE, server.port()))
                .properties(TransportProperties.builder().isolateSession(true).build())
                .security(client).build().initiate();
        assertThat(exchangeAndCheck(original)).as("first isolated connection").isFalse();
        Connection clone = original.clone();
        assertThat(exchangeAndCheck(clone)).as("the clone shares the group's private TLS cache").isTrue();
        original.closeGroup();
        Await.result(original.closed());
        Await.result(clone.closed());
        assertThat(resumed(ONE, false)).as("the group's session did not leak into the shared cache").isFalse();
    }

    @Test
    void clonesWithMaxCachedSessionsZeroOnJsseNeverResume() throws Exception {
        // JSSE cannot switch its client session cache off, so maxCachedSessions(0) needs a context per
        // connection (SEC-06); a clone must get its own too, not one shared by all clones of the group.
        String previous = System.getProperty(TlsProvider.PROPERTY);
        System.setProperty(TlsProvider.PROPERTY, "jdk");
        try {
            SecurityParameters noSessions = SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate())
                    .cachedSessionLifetime(Duration.ofSeconds(LIFETIME.incrementAndGet())).maxCachedSessions(0).build();
            Connection original = taps.preconnection().remote(RemoteEndpoint.ofHost(ONE, server.port()))
                    .security(noSessions).build().initiate();
            assertThat(exchangeAndCheck(original)).isFalse();
            Connection first = original.clone();
            assertThat(exchangeAndCheck(first)).as("first clone").isFalse();
            Connection second = original.clone();
            assertThat(exchangeAndCheck(second)).as("second clone: no session may have been kept").isFalse();
            original.closeGroup();
            Await.result(second.closed());
        } finally {
            if (previous == null) {
                System.clearProperty(TlsProvider.PROPERTY);
            } else {
                System.setProperty(TlsProvider.PROPERTY, previous);
            }
        }
    }

    @Test
    void clearingTheCachedStateForgetsTheSessions() throws Exception {
        assertThat(resumed(ONE, false)).isFalse();
        assertThat(taps.cachedState().tlsSessions()).isPositive();
        taps.cachedState().clear();
        assertThat(resumed(ONE, false)).as("after clear()").isFalse();
        assertThat(resumed(ONE, false)).isTrue();
    }

    @Test
    void anIsolatedScopeKeepsOneContextPerParametersAndSharesNoneWithTheSharedScope() {
        CacheScope isolated = CacheScope.isolated();
        CacheScope shared = CacheScope.shared(new PerformanceCache());
        assertThat(isolated.clientContext(client)).isSameAs(isolated.clientContext(client))
                .isNotSameAs(shared.clientContext(client))
                .isNotSameAs(CacheScope.isolated().clientContext(client));
        assertThat(shared.clientContext(client)).isSameAs(SslContexts.forClient(client));
        assertThat(isolated.useDnsCache()).isFalse();
        assertThat(shared.useDnsCache()).isTrue();
    }
}

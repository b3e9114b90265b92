package io.taps.internal.security;

import io.taps.testing.TestPki;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.security.ClientAuthentication;
import io.taps.security.Identity;
import io.taps.security.IdentityChallenge;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import io.taps.security.TrustDecision;
import io.taps.security.TrustVerificationRequest;
import io.netty.pkitesting.X509Bundle;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real TLS handshakes over loopback on both providers (RFC 9622 §6.3; checklist SEC-01..SEC-04,
 * SEC-10, SEC-11, SEC-13, Q-17).
 */
class TlsHandshakeTest {
    private static TlsPeers peers;

    @BeforeAll
    static void start() {
        peers = new TlsPeers();
    }

    @AfterAll
    static void stop() {
        peers.close();
    }

    private static void assumeProvider(SslProvider provider) {
        if (provider == SslProvider.OPENSSL) {
            assumeTrue(OpenSsl.isAvailable(), "BoringSSL not available");
        }
    }

    /** Guards against a silent fallback: the OPENSSL runs must really use BoringSSL's engine. */
    private static void assertEngine(SslProvider p, TlsPeers.Client c) {
        if (p == SslProvider.OPENSSL) {
            assertThat(c.handler.engine()).isInstanceOf(ReferenceCountedOpenSslEngine.class);
        } else {
            assertThat(c.handler.engine()).isNotInstanceOf(ReferenceCountedOpenSslEngine.class);
        }
    }

    private static Identity identity(X509Bundle b) {
        return Identity.of(b.getKeyPair().getPrivate(), b.getCertificatePath());
    }

    private static SecurityParameters.Builder serverParams(X509Bundle cert) {
        return SecurityParameters.builder().identity(identity(cert));
    }

    private static SecurityParameters.Builder clientParams() {
        return SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate());
    }

    private static TransportServicesException securityFailure(Throwable t) {
        assertThat(t).isInstanceOf(TransportServicesException.class);
        TransportServicesException e = (TransportServicesException) t;
        assertThat(e.reason()).isEqualTo(ErrorReason.SECURITY_FAILED);
        return e;
    }

    /** Handshake, wait, return the client; the caller closes it. */
    private static TlsPeers.Client connect(SslProvider p, SecurityParameters server, SecurityParameters client,
            String host, TlsPeers.Server[] serverOut) throws Exception {
        TlsPeers.Server s = peers.server(SslContexts.forServer(server, p));
        serverOut[0] = s;
        return peers.client(SslContexts.forClient(client, p), client, host, s.port());
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void trustedHandshakeEchoesBytesExactly(SslProvider p) throws Exception {
        assumeProvider(p);
        SecurityParameters client = clientParams().build();
        try (TlsPeers.Server s = peers.server(SslContexts.forServer(serverParams(TestPki.SERVER).build(), p));
                TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "localhost", s.port())) {
            assertThat(c.awaitHandshake()).isEmpty();
            assertEngine(p, c);
            assertThat(s.nextHandshake().cause).isNull();
            byte[] data = new byte[100_000];
            new Random(42).nextBytes(data);
            assertThat(c.echo(data)).isEqualTo(data);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void ipLiteralIsVerifiedAgainstIpSubjectAltName(SslProvider p) throws Exception {
        assumeProvider(p);
        SecurityParameters client = clientParams().build();
        try (TlsPeers.Server s = peers.server(SslContexts.forServer(serverParams(TestPki.SERVER).build(), p));
                TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "127.0.0.1", s.port())) {
            c.awaitHandshake();
            assertThat(c.echo(new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void untrustedCertificateFails(SslProvider p) throws Exception {
        assumeProvider(p);
        SecurityParameters client = clientParams().build();
        try (TlsPeers.Server s = peers.server(
                        SslContexts.forServer(serverParams(TestPki.SERVER_FROM_OTHER).build(), p));
                TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "localhost", s.port())) {
            assertThat(securityFailure(c.awaitHandshakeFailure())).hasMessageContaining("untrusted");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void hostnameMismatchFailsUnlessHostnameVerificationIsOff(SslProvider p) throws Exception {
        assumeProvider(p);
        SecurityParameters mismatch = clientParams().serverName("other.test").build();
        SecurityParameters lenient = mismatch.toBuilder().verifyHostname(false).build();
        try (TlsPeers.Server s = peers.server(SslContexts.forServer(serverParams(TestPki.SERVER).build(), p))) {
            try (TlsPeers.Client c = peers.client(SslContexts.forClient(mismatch, p), mismatch, "localhost",
                    s.port())) {
                assertThat(securityFailure(c.awaitHandshakeFailure())).hasMessageContaining("hostname mismatch");
            }
            try (TlsPeers.Client c = peers.client(SslContexts.forClient(lenient, p), lenient, "localhost",
                    s.port())) {
                c.awaitHandshake();
                assertThat(c.echo(new byte[] {7})).containsExactly(7);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void alpnNegotiatedValueIsVisible(SslProvider p) throws Exception {
        assumeProvider(p);
        SecurityParameters client = clientParams().alpn("taps/2", "taps/1").build();
        try (TlsPeers.Server s = peers.server(
                        SslContexts.forServer(serverParams(TestPki.SERVER).alpn("taps/1", "other").build(), p));
                TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "localhost", s.port())) {
            assertThat(c.awaitHandshake()).contains("taps/1");
            assertThat(TlsHandlers.negotiatedAlpn(c.handler)).contains("taps/1");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void alpnMismatchFails(SslProvider p) throws Exception {
        assumeProvider(p);
        SecurityParameters client = clientParams().alpn("taps/2").build();
        try (TlsPeers.Server s = peers.server(
                        SslContexts.forServer(serverParams(TestPki.SERVER).alpn("taps/1").build(), p));
                TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "localhost", s.port())) {
            assertThat(securityFailure(c.awaitHandshakeFailure())).hasMessageContaining("ALPN mismatch");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void tls13OnlyAndTls12OnlyPeersFail(SslProvider p) throws Exception {
        assumeProvider(p);
        SecurityParameters client = clientParams().allowedProtocols(TlsVersion.TLS_1_3).build();
        try (TlsPeers.Server s = peers.server(SslContexts.forServer(
                        serverParams(TestPki.SERVER).allowedProtocols(TlsVersion.TLS_1_2).build(), p));
                TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "localhost", s.port())) {
            assertThat(securityFailure(c.awaitHandshakeFailure())).hasMessageContaining("no common protocol version");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void allowedProtocolsSelectTheVersion(SslProvider p) throws Exception {
        assumeProvider(p);
        for (TlsVersion v : TlsVersion.values()) {
            SecurityParameters client = clientParams().allowedProtocols(v).build();
            try (TlsPeers.Server s = peers.server(SslContexts.forServer(serverParams(TestPki.SERVER).build(), p));
                    TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "localhost",
                            s.port())) {
                c.awaitHandshake();
                assertThat(c.handler.engine().getSession().getProtocol()).isEqualTo(v.protocolName());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void pinning(SslProvider p) throws Exception {
        assumeProvider(p);
        SecurityParameters pinned = clientParams().pinnedServerCertificates(TestPki.SERVER.getCertificate()).build();
        SecurityParameters wrongPin = clientParams().pinnedServerCertificates(TestPki.CLIENT.getCertificate()).build();
        try (TlsPeers.Server s = peers.server(SslContexts.forServer(serverParams(TestPki.SERVER).build(), p))) {
            try (TlsPeers.Client c = peers.client(SslContexts.forClient(pinned, p), pinned, "localhost", s.port())) {
                c.awaitHandshake();
                assertThat(c.echo(new byte[] {9})).containsExactly(9);
            }
            try (TlsPeers.Client c = peers.client(SslContexts.forClient(wrongPin, p), wrongPin, "localhost",
                    s.port())) {
                assertThat(securityFailure(c.awaitHandshakeFailure())).hasMessageContaining("pinning");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void trustCallbackRejectsAChainTheDefaultAccepts(SslProvider p) throws Exception {
        assumeProvider(p);
        List<TrustVerificationRequest> calls = new CopyOnWriteArrayList<>();
        SecurityParameters client = clientParams().trustVerificationCallback(r -> {
            calls.add(r);
            return TrustDecision.REJECT;
        }).build();
        try (TlsPeers.Server s = peers.server(SslContexts.forServer(serverParams(TestPki.SERVER).build(), p));
                TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "localhost", s.port())) {
            assertThat(securityFailure(c.awaitHandshakeFailure())).hasMessageContaining("trust verification callback");
        }
        assertThat(calls).hasSize(1);
        TrustVerificationRequest r = calls.get(0);
        assertThat(r.defaultVerificationPassed()).isTrue();
        assertThat(r.defaultVerificationFailure()).isEmpty();
        assertThat(r.peerChain().get(0)).isEqualTo(TestPki.SERVER.getCertificate());
        assertThat(r.peerHostName()).contains("localhost");
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void trustCallbackAcceptsASelfSignedChainOncePerHandshake(SslProvider p) throws Exception {
        assumeProvider(p);
        List<TrustVerificationRequest> calls = new CopyOnWriteArrayList<>();
        SecurityParameters client = clientParams().trustVerificationCallback(r -> {
            calls.add(r);
            return r.peerChain().get(0).equals(TestPki.SELF_SIGNED_SERVER.getCertificate())
                    ? TrustDecision.ACCEPT : TrustDecision.REJECT;
        }).build();
        try (TlsPeers.Server s = peers.server(
                        SslContexts.forServer(serverParams(TestPki.SELF_SIGNED_SERVER).build(), p));
                TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "localhost", s.port())) {
            c.awaitHandshake();
            assertThat(c.echo(new byte[] {4, 2})).containsExactly(4, 2);
        }
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).defaultVerificationPassed()).isFalse();
        assertThat(calls.get(0).defaultVerificationFailure()).isPresent();
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void trustCallbackCanOverrideAHostnameMismatch(SslProvider p) throws Exception {
        assumeProvider(p);
        SecurityParameters client = clientParams().serverName("other.test")
                .trustVerificationCallback(r -> TrustDecision.ACCEPT).build();
        try (TlsPeers.Server s = peers.server(SslContexts.forServer(serverParams(TestPki.SERVER).build(), p));
                TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "localhost", s.port())) {
            c.awaitHandshake();
            assertThat(c.echo(new byte[] {5})).containsExactly(5);
        }
    }

    private static SecurityParameters requireClientCert() {
        return serverParams(TestPki.SERVER).trustAnchors(TestPki.ROOT.getCertificate())
                .clientAuthentication(ClientAuthentication.REQUIRE).build();
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void clientAuthenticationWithConfiguredIdentity(SslProvider p) throws Exception {
        assumeProvider(p);
        SecurityParameters client = clientParams().identity(identity(TestPki.CLIENT)).build();
        try (TlsPeers.Server s = peers.server(SslContexts.forServer(requireClientCert(), p));
                TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "localhost", s.port())) {
            c.awaitHandshake();
            assertEngine(p, c);
            assertThat(c.echo(new byte[] {1, 1})).containsExactly(1, 1);
            assertThat(s.nextHandshake().cause).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void clientAuthenticationThroughIdentityChallengeCallback(SslProvider p) throws Exception {
        assumeProvider(p);
        List<IdentityChallenge> challenges = new CopyOnWriteArrayList<>();
        Identity clientId = identity(TestPki.CLIENT);
        SecurityParameters client = clientParams().identityChallengeCallback(ch -> {
            challenges.add(ch);
            return Optional.of(clientId);
        }).build();
        try (TlsPeers.Server s = peers.server(SslContexts.forServer(requireClientCert(), p));
                TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "localhost", s.port())) {
            c.awaitHandshake();
            assertEngine(p, c);
            assertThat(c.echo(new byte[] {3})).containsExactly(3);
            assertThat(s.nextHandshake().cause).isNull();
        }
        assertThat(challenges).hasSize(1);
        assertThat(challenges.get(0).keyTypes()).isNotEmpty();
        assertThat(challenges.get(0).acceptableIssuers()).contains(TestPki.ROOT.getCertificate().getSubjectX500Principal());
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void missingClientCertificateFails(SslProvider p) throws Exception {
        assumeProvider(p);
        SecurityParameters client = clientParams().build();
        try (TlsPeers.Server s = peers.server(SslContexts.forServer(requireClientCert(), p));
                TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "localhost", s.port())) {
            Throwable serverFailure = s.nextHandshake().cause;
            assertThat(serverFailure).isNotNull();
            assertThat(TlsHandlers.classify(serverFailure).reason()).isEqualTo(ErrorReason.SECURITY_FAILED);
            // In TLS 1.3 the client finishes its handshake before the server checks its certificate,
            // so the client may see success first; either way the connection must not carry data.
            assertThat(c.awaitClosed()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void opportunisticAcceptsAnyCertificate(SslProvider p) throws Exception {
        assumeProvider(p);
        SecurityParameters client = SecurityParameters.opportunistic();
        try (TlsPeers.Server s = peers.server(
                        SslContexts.forServer(serverParams(TestPki.SERVER_FROM_OTHER).build(), p));
                TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "127.0.0.1", s.port())) {
            c.awaitHandshake();
            assertThat(c.echo(new byte[] {8})).containsExactly(8);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void contextsAreCachedPerParameterValue(SslProvider p) {
        assumeProvider(p);
        SecurityParameters a = clientParams().alpn("x").build();
        SecurityParameters b = clientParams().alpn("x").build();
        assertThat(a).isEqualTo(b).isNotSameAs(b);
        SslContext ca = SslContexts.forClient(a, p);
        assertThat(SslContexts.forClient(b, p)).isSameAs(ca);
        assertThat(SslContexts.forClient(a.toBuilder().alpn("y").build(), p)).isNotSameAs(ca);
        SecurityParameters server = serverParams(TestPki.SERVER).build();
        assertThat(SslContexts.forServer(server, p)).isSameAs(SslContexts.forServer(server, p));
    }


    /**
     * SEC-06: sessions are cached and resumed by default, and {@code maxCachedSessions(0)} means no
     * handshake ever resumes one (providers read a cache size of 0 as "default"). The server is
     * BoringSSL on both runs because only its engine tells whether a handshake resumed.
     */
    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void sessionsResumeUnlessMaxCachedSessionsIsZero(SslProvider p) throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "the server needs BoringSSL to report resumption");
        SslContext serverContext = SslContexts.forServer(serverParams(TestPki.SERVER).build(), SslProvider.OPENSSL);
        try (TlsPeers.Server s = peers.server(serverContext)) {
            // A lifetime of its own gives each run client contexts no other test has used.
            SecurityParameters.Builder client = clientParams().cachedSessionLifetime(Duration.ofSeconds(600 + p.ordinal()));
            assertThat(secondHandshakeResumed(s, p, client.build())).isTrue();
            assertThat(secondHandshakeResumed(s, p, client.maxCachedSessions(0).build())).isFalse();
        }
    }

    private static boolean secondHandshakeResumed(TlsPeers.Server s, SslProvider p, SecurityParameters client)
            throws Exception {
        boolean resumed = false;
        for (int i = 0; i < 2; i++) {
            // A context per connection, as StackConnector asks for one per attempt.
            try (TlsPeers.Client c = peers.client(SslContexts.forClient(client, p), client, "localhost", s.port())) {
                c.awaitHandshake();
                // The echo makes sure the TLS 1.3 session ticket arrived before the connection closes.
                assertThat(c.echo(new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
                TlsPeers.Outcome outcome = s.nextHandshake();
                assertThat(outcome.cause).isNull();
                resumed = outcome.resumed;
            }
        }
        return resumed;
    }
}

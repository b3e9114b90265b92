package io.taps.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Value semantics, secure defaults and validation of SecurityParameters (RFC 9622 §6.3; O-04, SEC-*). */
class SecurityParametersTest {
    private static X509Bundle rsa;
    private static X509Bundle ec;
    private static X509Bundle ec2;

    @BeforeAll
    static void certificates() throws Exception {
        rsa = new CertificateBuilder().subject("CN=rsa").rsa2048().setIsCertificateAuthority(true).buildSelfSigned();
        ec = new CertificateBuilder().subject("CN=ec").ecp256().setIsCertificateAuthority(true).buildSelfSigned();
        ec2 = new CertificateBuilder().subject("CN=ec2").ecp256().setIsCertificateAuthority(true).buildSelfSigned();
    }

    private static void assertInvalid(Runnable r, String fragment) {
        assertThatThrownBy(r::run).isInstanceOf(TransportServicesException.class)
                .hasMessageContaining(fragment)
                .extracting(e -> ((TransportServicesException) e).reason())
                .isEqualTo(ErrorReason.INVALID_CONFIGURATION);
    }

    @Test
    void builderDefaultsAreSecure() { // SEC-13, Q-17
        SecurityParameters p = SecurityParameters.builder().build();
        assertThat(p.level()).isEqualTo(SecurityLevel.REQUIRED);
        assertThat(p.verifyCertificate()).isTrue();
        assertThat(p.verifyHostname()).isTrue();
        assertThat(p.allowedProtocols()).containsExactlyInAnyOrder(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3);
        assertThat(p.trustAnchors()).isEmpty();
        assertThat(p.cipherSuites()).isEmpty();
        assertThat(p.maxCachedSessions()).isEmpty();
        assertThat(p.cachedSessionLifetime()).isEmpty();
        assertThat(p.clientAuthentication()).isEqualTo(ClientAuthentication.NONE);
        assertThat(p.trustVerificationCallback()).isEmpty();
    }

    @Test
    void disabledAndOpportunistic() { // SEC-08, SEC-09
        assertThat(SecurityParameters.disabled().level()).isEqualTo(SecurityLevel.DISABLED);
        SecurityParameters o = SecurityParameters.opportunistic();
        assertThat(o.level()).isEqualTo(SecurityLevel.OPPORTUNISTIC);
        assertThat(o.verifyCertificate()).isFalse();
        assertThat(o.verifyHostname()).isFalse();
    }

    @Test
    void onlyTls12AndNewerExist() { // C-08
        assertThat(TlsVersion.values()).extracting(TlsVersion::protocolName).containsExactly("TLSv1.2", "TLSv1.3");
    }

    @Test
    void equalityIsByValueAndCallbacksByIdentity() { // SEC-12
        TrustVerificationCallback cb = r -> TrustDecision.ACCEPT;
        SecurityParameters a = SecurityParameters.builder().identity(ec.getKeyPair().getPrivate(), ec.getCertificate())
                .alpn("h2").trustAnchors(rsa.getCertificate()).trustVerificationCallback(cb).build();
        SecurityParameters b = SecurityParameters.builder().identity(ec.getKeyPair().getPrivate(), ec.getCertificate())
                .alpn("h2").trustAnchors(rsa.getCertificate()).trustVerificationCallback(cb).build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.toBuilder().build()).isEqualTo(a);
        assertThat(a.toBuilder().trustVerificationCallback(r -> TrustDecision.ACCEPT).build()).isNotEqualTo(a);
        assertThat(a.toBuilder().alpn("h3").build()).isNotEqualTo(a);
    }

    @Test
    void toStringNeverShowsKeyMaterial() {
        SecurityParameters p = SecurityParameters.builder()
                .identity(rsa.getKeyPair().getPrivate(), rsa.getCertificate())
                .identity(ec.getKeyPair().getPrivate(), ec.getCertificate()).build();
        String s = p + " " + p.identities();
        assertThat(s).contains("identities=2");
        for (X509Bundle b : new X509Bundle[] {rsa, ec}) {
            byte[] key = b.getKeyPair().getPrivate().getEncoded();
            assertThat(s).doesNotContain(Base64.getEncoder().encodeToString(key).substring(0, 16))
                    .doesNotContain(HexFormat.of().formatHex(key).substring(0, 16))
                    .doesNotContain("PRIVATE KEY");
        }
    }

    @Test
    void mismatchedKeyAndCertificateIsInvalid() {
        assertInvalid(() -> Identity.of(ec2.getKeyPair().getPrivate(), ec.getCertificate()), "does not match");
        assertInvalid(() -> Identity.of(rsa.getKeyPair().getPrivate(), ec.getCertificate()), "does not match");
        X509Bundle rsa2;
        try {
            rsa2 = new CertificateBuilder().subject("CN=rsa2").rsa2048().setIsCertificateAuthority(true)
                    .buildSelfSigned();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertInvalid(() -> SecurityParameters.builder().identity(rsa2.getKeyPair().getPrivate(), rsa.getCertificate()),
                "does not match");
    }

    @Test
    void emptyChainIsInvalid() {
        assertInvalid(() -> Identity.of(ec.getKeyPair().getPrivate()), "empty certificate chain");
    }

    @Test
    void badValuesAreInvalid() {
        assertInvalid(() -> SecurityParameters.builder().alpn(""), "ALPN");
        assertInvalid(() -> SecurityParameters.builder().alpn("x".repeat(256)), "ALPN");
        assertInvalid(() -> SecurityParameters.builder().alpn("h2", "h2"), "duplicate");
        assertInvalid(() -> SecurityParameters.builder().allowedProtocols(), "at least one");
        assertInvalid(() -> SecurityParameters.builder().cipherSuites(" "), "cipher");
        assertInvalid(() -> SecurityParameters.builder().maxCachedSessions(-1), "maxCachedSessions");
        assertInvalid(() -> SecurityParameters.builder().cachedSessionLifetime(Duration.ZERO), "cachedSessionLifetime");
        assertInvalid(() -> SecurityParameters.builder().serverName(" "), "serverName");
    }

    @Test
    void identityFromPemFilesAndStreams(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("key.pem");
        Path chain = dir.resolve("chain.pem");
        Files.writeString(key, ec.getPrivateKeyPEM());
        Files.writeString(chain, ec.getCertificatePathPEM());
        Identity fromFiles = Identity.fromPem(key, chain);
        assertThat(fromFiles.certificate()).isEqualTo(ec.getCertificate());
        assertThat(fromFiles).isEqualTo(Identity.of(ec.getKeyPair().getPrivate(), ec.getCertificate()));
        Identity fromStreams = Identity.fromPem(
                new ByteArrayInputStream(rsa.getPrivateKeyPEM().getBytes(StandardCharsets.US_ASCII)),
                new ByteArrayInputStream(rsa.getCertificatePathPEM().getBytes(StandardCharsets.US_ASCII)));
        assertThat(fromStreams.privateKey().getAlgorithm()).isEqualTo("RSA");
        assertInvalid(() -> Identity.fromPem(
                new ByteArrayInputStream(ec2.getPrivateKeyPEM().getBytes(StandardCharsets.US_ASCII)),
                new ByteArrayInputStream(ec.getCertificatePathPEM().getBytes(StandardCharsets.US_ASCII))),
                "does not match");
        assertInvalid(() -> Identity.fromPem(
                new ByteArrayInputStream("-----BEGIN RSA PRIVATE KEY-----\nAA==\n-----END RSA PRIVATE KEY-----\n"
                        .getBytes(StandardCharsets.US_ASCII)),
                new ByteArrayInputStream(ec.getCertificatePathPEM().getBytes(StandardCharsets.US_ASCII))), "PKCS#8");
    }

    @Test
    void listsAreImmutable() {
        SecurityParameters p = SecurityParameters.builder().alpn("a").build();
        assertThatThrownBy(() -> p.alpn().add("b")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(p.allowedProtocols()).isInstanceOf(Set.class);
    }

    /**
     * taps looks the TLS context up by the parameters on every secure attempt, so the hash is taken
     * once: hashing again allocates nothing (recomputing boxes the fields into an array each time).
     */
    @Test
    void hashIsComputedOnceAndStaysConsistentWithEquals() {
        SecurityParameters params = SecurityParameters.builder().trustAnchors(ec.getCertificate(), rsa.getCertificate())
                .pinnedServerCertificates(ec2.getCertificate()).alpn("h2").serverName("example.org")
                .trustVerificationCallback(request -> TrustDecision.ACCEPT).build();
        SecurityParameters equal = params.toBuilder().build();
        assertThat(equal).isEqualTo(params).isNotSameAs(params).hasSameHashCodeAs(params);
        assertThat(params.toBuilder().alpn("h3").build().hashCode()).isNotEqualTo(params.hashCode());
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int sum = 0;
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 2_000; i++) {
            sum += params.hashCode();
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(sum).isEqualTo(2_000 * params.hashCode());
        assertThat(allocated).as("bytes allocated by 2,000 hashCode calls").isLessThan(4_096);
    }
}

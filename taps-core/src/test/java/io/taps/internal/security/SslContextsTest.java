package io.taps.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.handler.ssl.SslProvider;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.security.SecurityParameters;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Context building, validation, provider choice and failure classification (RFC 9622 §6.3; SEC-*). */
class SslContextsTest {

    private static TransportServicesException invalid(Runnable r) {
        try {
            r.run();
        } catch (TransportServicesException e) {
            assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
            return e;
        }
        throw new AssertionError("expected INVALID_CONFIGURATION");
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void serverWithoutIdentityIsInvalid(SslProvider p) {
        assertThat(invalid(() -> SslContexts.forServer(SecurityParameters.builder().build(), p)))
                .hasMessageContaining("identity");
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void unknownCipherSuiteIsInvalid(SslProvider p) {
        if (p == SslProvider.OPENSSL) {
            assumeTrue(OpenSsl.isAvailable());
        }
        SecurityParameters params = SecurityParameters.builder().cipherSuites("TLS_NO_SUCH_SUITE").build();
        assertThat(invalid(() -> SslContexts.forClient(params, p))).hasMessageContaining("TLS_NO_SUCH_SUITE");
        // a real suite is accepted
        SslContexts.forClient(SecurityParameters.builder().cipherSuites("TLS_AES_128_GCM_SHA256").build(), p);
    }

    @Test
    void disabledSecurityBuildsNoContext() { // SEC-08
        assertThat(invalid(() -> SslContexts.forClient(SecurityParameters.disabled()))).hasMessageContaining("disabled");
    }

    @Test
    void providerCanBeForcedToJdk() {
        String old = System.getProperty(TlsProvider.PROPERTY);
        try {
            System.setProperty(TlsProvider.PROPERTY, "jdk");
            assertThat(TlsProvider.preferred()).isEqualTo(SslProvider.JDK);
            assertThat(TlsProvider.describe()).startsWith("JDK");
            System.clearProperty(TlsProvider.PROPERTY);
            assertThat(TlsProvider.preferred())
                    .isEqualTo(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
            assertThat(TlsProvider.describe()).isNotBlank();
        } finally {
            if (old == null) {
                System.clearProperty(TlsProvider.PROPERTY);
            } else {
                System.setProperty(TlsProvider.PROPERTY, old);
            }
        }
    }

    @Test
    void classifyNamesTheFailure() {
        TransportServicesException untrusted = TlsHandlers.classify(new SSLHandshakeException("x") {
            private static final long serialVersionUID = 1L;

            {
                initCause(new TapsCertificateException(TapsCertificateException.Kind.UNTRUSTED, "CN=x", null));
            }
        });
        assertThat(untrusted.reason()).isEqualTo(ErrorReason.SECURITY_FAILED);
        assertThat(untrusted).hasMessageContaining("untrusted certificate");
        assertThat(TlsHandlers.classify(new SSLHandshakeException("Received fatal alert: protocol_version")))
                .hasMessageContaining("no common protocol version");
        assertThat(TlsHandlers.classify(new SSLHandshakeException("Received fatal alert: no_application_protocol")))
                .hasMessageContaining("ALPN mismatch");
        assertThat(TlsHandlers.classify(new SSLHandshakeException("error:10000410:SSL routines:"
                + "OPENSSL_internal:SSLV3_ALERT_HANDSHAKE_FAILURE NO_SHARED_CIPHER")))
                .hasMessageContaining("no common cipher suite");
        assertThat(TlsHandlers.classify(new RuntimeException(new CertificateException("bad"))))
                .hasMessageContaining("untrusted");
        assertThat(TlsHandlers.classify(new SslHandshakeTimeoutException("handshake timed out after 10ms")).reason())
                .isEqualTo(ErrorReason.TIMEOUT);
        TransportServicesException same = new TransportServicesException(ErrorReason.SECURITY_FAILED, "x");
        assertThat(TlsHandlers.classify(same)).isSameAs(same);
    }

    @Test
    void cacheIsBounded() {
        for (int i = 0; i < 80; i++) {
            SslContexts.forClient(SecurityParameters.builder().alpn("p" + i).build(), SslProvider.JDK);
        }
        assertThat(SslContexts.cacheSize()).isLessThanOrEqualTo(64);
        assertThatThrownBy(() -> SslContexts.forClient(null)).isInstanceOf(NullPointerException.class);
    }
}

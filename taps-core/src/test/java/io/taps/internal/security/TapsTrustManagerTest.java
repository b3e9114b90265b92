package io.taps.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.security.SecurityParameters;
import io.taps.testing.TestPki;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;

/**
 * The client's check of its server in the default case (verification on, no pins, no callback):
 * the platform is called from {@link TapsTrustManager#checkServerTrusted(X509Certificate[], String, SSLEngine)}
 * itself, one frame below Netty's verifier (every frame on that path is compiled with the whole
 * PKIX validation inlined while a connection storm warms up, issue 21), and a rejection keeps its
 * type, its reason and its record for the engine.
 */
class TapsTrustManagerTest {
    private static final X509Certificate[] CHAIN = TestPki.SERVER.getCertificatePath();

    @Test
    void theDefaultCheckCallsThePlatformFromItsEntryPoint() throws Exception {
        RecordingPlatform platform = new RecordingPlatform(null);
        TapsTrustManager trust = new TapsTrustManager(verified().build(), platform, true);
        SSLEngine engine = clientEngine(true);

        trust.checkServerTrusted(CHAIN, "ECDHE_ECDSA", engine);

        assertThat(platform.engines).containsExactly(engine);
        assertThat(platform.caller).isEqualTo(TapsTrustManager.class.getName() + ".checkServerTrusted");
    }

    @Test
    void quicAndDtlsContextsKeepTheLayeredCheck() throws Exception {
        RecordingPlatform platform = new RecordingPlatform(null);
        TapsTrustManager trust = new TapsTrustManager(verified().build(), platform, false);
        SSLEngine engine = clientEngine(true);

        trust.checkServerTrusted(CHAIN, "ECDHE_ECDSA", engine);

        assertThat(platform.engines).containsExactly(engine);
        assertThat(platform.caller).isEqualTo(TapsTrustManager.class.getName() + ".platformCheck");
    }

    @Test
    void aPlatformRejectionOnTheDirectPathIsTypedAndRecordedForTheEngine() {
        RecordingPlatform platform = new RecordingPlatform(new CertificateException("PKIX path building failed"));
        TapsTrustManager trust = new TapsTrustManager(verified().build(), platform, true);
        SSLEngine engine = clientEngine(false);

        assertThatThrownBy(() -> trust.checkServerTrusted(CHAIN, "ECDHE_ECDSA", engine))
                .isInstanceOf(CertificateException.class)
                .satisfies(e -> assertThat(rejection(e).kind()).isEqualTo(TapsCertificateException.Kind.UNTRUSTED));
        TapsCertificateException recorded = TapsTrustManager.takeRejection(engine);
        assertThat(recorded).isNotNull();
        assertThat(recorded.kind()).isEqualTo(TapsCertificateException.Kind.UNTRUSTED);
        assertThat(TapsTrustManager.takeRejection(engine)).as("read once").isNull();
    }

    @Test
    void aChainTheNameDoesNotMatchIsAHostnameMismatch() {
        // rejects only with the engine (which carries the name), accepts the chain on its own
        RecordingPlatform platform = new RecordingPlatform(new CertificateException("No subject alternative DNS name"));
        TapsTrustManager trust = new TapsTrustManager(verified().build(), platform, true);
        SSLEngine engine = clientEngine(true);

        assertThatThrownBy(() -> trust.checkServerTrusted(CHAIN, "ECDHE_ECDSA", engine))
                .satisfies(e -> assertThat(rejection(e).kind())
                        .isEqualTo(TapsCertificateException.Kind.HOSTNAME_MISMATCH));
        TapsTrustManager.takeRejection(engine);
    }

    @Test
    void pinsStillDecideWhenThePlatformAccepts() {
        RecordingPlatform platform = new RecordingPlatform(null);
        TapsTrustManager trust = new TapsTrustManager(
                verified().pinnedServerCertificates(TestPki.SELF_SIGNED_SERVER.getCertificate()).build(), platform, true);
        SSLEngine engine = clientEngine(true);

        assertThatThrownBy(() -> trust.checkServerTrusted(CHAIN, "ECDHE_ECDSA", engine))
                .satisfies(e -> assertThat(rejection(e).kind()).isEqualTo(TapsCertificateException.Kind.PIN_MISMATCH));
        TapsTrustManager.takeRejection(engine);
    }

    private static SecurityParameters.Builder verified() {
        return SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate());
    }

    private static TapsCertificateException rejection(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof TapsCertificateException) {
                return (TapsCertificateException) t;
            }
        }
        throw new AssertionError("no TapsCertificateException in " + thrown, thrown);
    }

    private static SSLEngine clientEngine(boolean verifyName) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, null, null);
            SSLEngine engine = context.createSSLEngine("localhost", 443);
            engine.setUseClientMode(true);
            if (verifyName) {
                SSLParameters parameters = engine.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(parameters);
            }
            return engine;
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A platform verifier that accepts, or with an engine throws {@code withEngine}, and notes the
     * engines it was given and the frame that called it with one.
     */
    private static final class RecordingPlatform extends X509ExtendedTrustManager {
        final List<SSLEngine> engines = new ArrayList<>();
        private final CertificateException withEngine;
        String caller;

        RecordingPlatform(CertificateException withEngine) {
            this.withEngine = withEngine;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            engines.add(engine);
            StackTraceElement[] stack = new Throwable().getStackTrace();
            caller = stack[1].getClassName() + "." + stack[1].getMethodName();
            if (withEngine != null) {
                throw withEngine;
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

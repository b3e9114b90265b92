package io.taps.internal.security;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.internal.tcnative.CertificateVerifier;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.security.SecurityParameters;
import io.taps.security.TrustDecision;
import io.taps.security.TrustVerificationCallback;
import io.taps.security.TrustVerificationRequest;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies the peer's chain for one {@link SecurityParameters} value (RFC 9622 §6.3; checklist
 * SEC-03, SEC-10, SEC-13, Q-17): the platform PKIX verification (system store or the configured
 * anchors, plus hostname verification when the engine asks for it), then pinning, then the trust
 * verification callback, which has the last word.
 *
 * <p>With {@code verifyCertificate(false)} and no callback every chain is accepted; this is the
 * opportunistic mode (SEC-09) and must never be the default (SEC-15: NEATPy's mistake).
 */
final class TapsTrustManager extends X509ExtendedTrustManager {
    /** Rejections per engine until read; weak, so that an engine nobody asks about is simply forgotten. */
    private static final java.util.Map<SSLEngine, TapsCertificateException> REJECTIONS = new java.util.WeakHashMap<>();
    private final X509ExtendedTrustManager platform;
    private final boolean verifyCertificate;
    private final List<X509Certificate> pins;
    private final TrustVerificationCallback callback;
    /**
     * Whether {@link #checkServerTrusted(X509Certificate[], String, SSLEngine)} hands straight to the
     * platform: only for TLS over TCP ({@link #forTlsOverTcp}) and only when the platform's verdict is
     * the whole decision (verification on, no pins, no callback), the default.
     */
    private final boolean platformDecides;

    /**
     * For QUIC and DTLS contexts: every check goes through {@link #verify}. QUIC keeps this path on
     * purpose: with the direct path, taps' QUIC handshakes with a Kwik server stalled until their
     * 33 s timeout in 2 of 6 looped runs of the Kwik interop classes (and in 2 full suites of session
     * 10), against none of 6 paired runs without it; the calls made are the same, so the cause is not
     * understood, and the TLS handshake figure this path is for is TLS over TCP.
     */
    TapsTrustManager(SecurityParameters params) {
        this(params, platformTrustManager(params.trustAnchors()), false);
    }

    /**
     * The trust manager of a TLS-over-TCP context ({@link SslContexts}): the default client check calls
     * the platform from its entry point (see {@link #checkServerTrusted(X509Certificate[], String, SSLEngine)}).
     */
    static TapsTrustManager forTlsOverTcp(SecurityParameters params) {
        return new TapsTrustManager(params, platformTrustManager(params.trustAnchors()), true);
    }

    /**
     * With {@code platform} as the PKIX verifier instead of the one {@code params}' anchors select
     * (tests); {@code direct} as for {@link #forTlsOverTcp}.
     */
    TapsTrustManager(SecurityParameters params, X509ExtendedTrustManager platform, boolean direct) {
        this.platform = platform;
        this.verifyCertificate = params.verifyCertificate();
        this.pins = params.pinnedServerCertificates();
        this.callback = params.trustVerificationCallback().orElse(null);
        this.platformDecides = direct && verifyCertificate && pins.isEmpty() && callback == null;
    }

    private static X509ExtendedTrustManager platformTrustManager(List<X509Certificate> anchors) {
        return anchors.isEmpty() ? SystemTrust.MANAGER : trustManagerFor(anchors);
    }

    /**
     * The system trust store's manager, read once: reading and parsing the store costs tens of
     * milliseconds, and every client context without anchors of its own (each isolateSession scope,
     * each session-less attempt) would pay it again. Changes to the store after the first
     * handshake are seen after a restart, as with the JDK's own default SSLContext.
     */
    private static final class SystemTrust {
        static final X509ExtendedTrustManager MANAGER = trustManagerFor(List.of());
    }

    private static X509ExtendedTrustManager trustManagerFor(List<X509Certificate> anchors) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (anchors.isEmpty()) {
                tmf.init((KeyStore) null); // the system trust store (SEC-13)
            } else {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                for (int i = 0; i < anchors.size(); i++) {
                    ks.setCertificateEntry("anchor-" + i, anchors.get(i));
                }
                tmf.init(ks);
            }
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager) {
                    return (X509ExtendedTrustManager) tm;
                }
            }
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "the platform offers no X509ExtendedTrustManager");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "cannot initialise trust anchors: " + e.getMessage(), e);
        }
    }

    /**
     * A client's check of its server, once per full handshake. In the default case of a TLS-over-TCP
     * context ({@link #forTlsOverTcp}) the platform's check is called right here, one frame below Netty's verifier, and only a rejection goes through
     * {@link #explain} and {@link #rejected}: the JIT compiles every frame of this path with the whole
     * PKIX validation inlined (about half a second of C2 time each on one CPU), so each frame
     * taps adds between Netty and the platform cost a connection storm a further dip while it warms
     * up (issue 21: three such frames made taps' handshake rate drop by half for 3-5 s, 30-40 s in).
     */
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        if (!platformDecides || engine == null || chain == null || chain.length == 0) {
            verify(chain, authType, engine, true);
            return;
        }
        String auth = authTypeOrUnknown(authType);
        try {
            platform.checkServerTrusted(chain, auth, engine);
        } catch (CertificateException e) {
            throw rejected(explain(e, chain, auth, engine, true), engine);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain, authType, engine, false);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        verify(chain, authType, null, true);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        verify(chain, authType, null, false);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, authType, null, true);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, authType, null, false);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        // A server sends these as certificate_authorities; with verification off it accepts anyone.
        return verifyCertificate ? platform.getAcceptedIssuers() : new X509Certificate[0];
    }

    /**
     * Verifies and, on rejection, throws the exception that makes BoringSSL answer with the alert
     * RFC 8446 §6.2 names for the reason: an unknown issuer gets {@code unknown_ca}, an expired or not
     * yet valid certificate {@code certificate_expired}/{@code bad_certificate}, a hostname, pin or
     * callback rejection {@code bad_certificate}. Without an error code BoringSSL would send
     * {@code internal_error}. JSSE decides its alert itself (certificate_unknown); the
     * {@link TapsCertificateException} stays the cause either way, so classification is unchanged.
     */
    private void verify(X509Certificate[] chain, String authType, SSLEngine engine, boolean peerIsServer)
            throws CertificateException {
        try {
            check(chain, authType, engine, peerIsServer);
        } catch (TapsCertificateException rejection) {
            throw rejected(rejection, engine);
        }
    }

    /** Records {@code rejection} for {@code engine} ({@link #takeRejection}) and returns what to throw. */
    private static CertificateException rejected(TapsCertificateException rejection, SSLEngine engine) {
        if (engine != null) {
            synchronized (REJECTIONS) {
                REJECTIONS.put(engine, rejection);
            }
        }
        return withAlert(rejection);
    }

    /**
     * The rejection this trust manager decided for {@code engine}'s peer, once: for engines whose
     * handshake failure does not carry it as a cause (the QUIC engine reports only BoringSSL's
     * {@code CERTIFICATE_VERIFY_FAILED}), so that a Listener can still name the certificate it refused.
     */
    static TapsCertificateException takeRejection(SSLEngine engine) {
        synchronized (REJECTIONS) {
            return REJECTIONS.remove(engine);
        }
    }

    private static CertificateException withAlert(TapsCertificateException rejected) {
        if (!OpenSsl.isAvailable()) {
            return rejected;
        }
        int code;
        if (rejected.kind() != TapsCertificateException.Kind.UNTRUSTED) {
            code = CertificateVerifier.X509_V_ERR_CERT_REJECTED;
        } else if (causedBy(rejected, CertificateExpiredException.class)) {
            code = CertificateVerifier.X509_V_ERR_CERT_HAS_EXPIRED;
        } else if (causedBy(rejected, CertificateNotYetValidException.class)) {
            code = CertificateVerifier.X509_V_ERR_CERT_NOT_YET_VALID;
        } else {
            code = CertificateVerifier.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
        }
        return new OpenSslCertificateException(rejected.getMessage(), rejected, code);
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private void check(X509Certificate[] chain, String authType, SSLEngine engine, boolean peerIsServer)
            throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new TapsCertificateException(TapsCertificateException.Kind.UNTRUSTED, "peer sent no certificate",
                    null);
        }
        if (peerIsServer && !pins.isEmpty() && !containsPin(chain)) {
            throw new TapsCertificateException(TapsCertificateException.Kind.PIN_MISMATCH,
                    "no pinned certificate in the chain of " + subject(chain), null);
        }
        if (callback == null && !verifyCertificate) {
            return;
        }
        CertificateException failure = null;
        if (verifyCertificate || callback != null) {
            try {
                platformCheck(chain, authType, engine, peerIsServer);
            } catch (CertificateException e) {
                failure = e;
            }
        }
        if (callback == null) {
            if (failure != null) {
                throw failure;
            }
            return;
        }
        TrustVerificationRequest request = new TrustVerificationRequest(Arrays.asList(chain),
                authType == null ? "UNKNOWN" : authType, engine == null ? null : engine.getPeerHost(),
                failure == null && verifyCertificate, failure);
        TrustDecision decision;
        try {
            decision = callback.verify(request);
        } catch (RuntimeException e) {
            throw new TapsCertificateException(TapsCertificateException.Kind.REJECTED_BY_CALLBACK,
                    "callback threw " + e, e);
        }
        if (decision != TrustDecision.ACCEPT) {
            throw new TapsCertificateException(TapsCertificateException.Kind.REJECTED_BY_CALLBACK,
                    subject(chain) + (failure == null ? "" : " (default verification: " + failure.getMessage() + ")"),
                    failure);
        }
    }

    /** The JDK's trust managers refuse a null or empty auth type; BoringSSL may not name one. */
    private static String authTypeOrUnknown(String authType) {
        return authType == null || authType.isEmpty() ? "UNKNOWN" : authType;
    }

    private void platformCheck(X509Certificate[] chain, String authType, SSLEngine engine, boolean peerIsServer)
            throws CertificateException {
        String auth = authTypeOrUnknown(authType);
        // The engine is always passed when there is one: it carries the hostname to verify, and
        // dropping it would silently skip hostname verification (fail closed instead).
        try {
            if (peerIsServer) {
                if (engine != null) {
                    platform.checkServerTrusted(chain, auth, engine);
                } else {
                    platform.checkServerTrusted(chain, auth);
                }
            } else {
                if (engine != null) {
                    platform.checkClientTrusted(chain, auth, engine);
                } else {
                    platform.checkClientTrusted(chain, auth);
                }
            }
        } catch (CertificateException e) {
            throw explain(e, chain, auth, engine, peerIsServer);
        }
    }

    /** Tells a hostname mismatch apart from an untrusted chain by re-checking without the name. */
    private TapsCertificateException explain(CertificateException e, X509Certificate[] chain, String auth,
            SSLEngine engine, boolean peerIsServer) {
        if (peerIsServer && engine != null && hostnameChecked(engine)) {
            try {
                platform.checkServerTrusted(chain, auth);
                return new TapsCertificateException(TapsCertificateException.Kind.HOSTNAME_MISMATCH,
                        "certificate of " + subject(chain) + " does not match '" + engine.getPeerHost() + "': "
                                + e.getMessage(), e);
            } catch (CertificateException untrusted) {
                // the chain itself is bad; report that, which is the more fundamental problem
            }
        }
        return new TapsCertificateException(TapsCertificateException.Kind.UNTRUSTED,
                subject(chain) + ": " + e.getMessage(), e);
    }

    private static boolean hostnameChecked(SSLEngine engine) {
        SSLParameters p = engine.getSSLParameters();
        String alg = p == null ? null : p.getEndpointIdentificationAlgorithm();
        return alg != null && !alg.isEmpty();
    }

    private boolean containsPin(X509Certificate[] chain) {
        for (X509Certificate c : chain) {
            if (pins.contains(c)) { // X509Certificate.equals compares the DER encoding
                return true;
            }
        }
        return false;
    }

    private static String subject(X509Certificate[] chain) {
        return chain[0].getSubjectX500Principal().getName();
    }
}

package io.taps.internal.security;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import io.taps.security.SecurityOutcome;
import java.lang.reflect.Method;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Reads the {@link SecurityOutcome} of a completed handshake from an {@link SSLEngine} of any of
 * taps' TLS providers (RFC 9622 §6.3, §8): JSSE, BoringSSL through netty-tcnative, and the QUIC
 * stack's BoringSSL engine.
 *
 * <p>Whether the session was resumed is provider specific: BoringSSL answers directly
 * ({@code SSL_session_reused}); the QUIC engine knows it but keeps the method package-private, so it
 * is read reflectively; JSSE has no API, but a resumed JSSE session keeps the creation time of the
 * session it resumes, so a session created before this handshake started was resumed.
 */
public final class SecurityOutcomes {
    private static final Method QUIC_SESSION_REUSED = quicSessionReused();

    private SecurityOutcomes() {
    }

    /**
     * The outcome of {@code engine}'s completed handshake.
     *
     * @param handshakeStartMillis wall-clock time just before the handshake started (JSSE's resumption test)
     */
    public static SecurityOutcome of(SSLEngine engine, long handshakeStartMillis) {
        SSLSession session = engine.getSession();
        String alpn = engine.getApplicationProtocol();
        return new SecurityOutcome(session.getProtocol(), session.getCipherSuite(),
                alpn == null || alpn.isEmpty() ? Optional.empty() : Optional.of(alpn), peerChain(session),
                x509(session.getLocalCertificates()), resumed(engine, session, handshakeStartMillis));
    }

    private static List<X509Certificate> peerChain(SSLSession session) {
        try {
            return x509(session.getPeerCertificates());
        } catch (SSLPeerUnverifiedException noCertificate) {
            return List.of();
        }
    }

    private static List<X509Certificate> x509(Certificate[] certificates) {
        List<X509Certificate> out = new ArrayList<>();
        if (certificates != null) {
            for (Certificate c : certificates) {
                if (c instanceof X509Certificate) {
                    out.add((X509Certificate) c);
                }
            }
        }
        return out;
    }

    private static boolean resumed(SSLEngine engine, SSLSession session, long handshakeStartMillis) {
        if (engine instanceof ReferenceCountedOpenSslEngine) {
            long ssl = ((ReferenceCountedOpenSslEngine) engine).sslPointer();
            return ssl != 0 && SSL.isSessionReused(ssl);
        }
        if (QUIC_SESSION_REUSED != null && QUIC_SESSION_REUSED.getDeclaringClass().isInstance(engine)) {
            try {
                return (Boolean) QUIC_SESSION_REUSED.invoke(engine);
            } catch (ReflectiveOperationException | RuntimeException unreadable) {
                return false;
            }
        }
        return session.getCreationTime() < handshakeStartMillis;
    }

    private static Method quicSessionReused() {
        try {
            Method m = Class.forName("io.netty.handler.codec.quic.QuicheQuicSslEngine")
                    .getDeclaredMethod("isSessionReused");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError absent) {
            return null;
        }
    }
}

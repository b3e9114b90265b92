package io.taps.security;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link TrustVerificationCallback} is asked to decide (RFC 9622 §6.3.1; checklist SEC-10,
 * O-11): the peer's chain, the key exchange's authentication type and the outcome of the default
 * verification. Immutable.
 */
public final class TrustVerificationRequest {
    private final List<X509Certificate> peerChain;
    private final String authType;
    private final String peerHostName;
    private final Exception defaultVerificationFailure;
    private final boolean defaultVerificationPassed;

    /**
     * Creates a request.
     *
     * @param peerChain the peer's chain, leaf first
     * @param authType the authentication type the TLS provider reported (for example {@code ECDHE_RSA},
     *     or {@code UNKNOWN} for TLS 1.3)
     * @param peerHostName the host name the connection was made to, or {@code null} when unknown
     *     (for example on the server side)
     * @param defaultVerificationPassed whether the default verification accepted the chain
     * @param defaultVerificationFailure why the default verification rejected the chain, or {@code null}
     */
    public TrustVerificationRequest(List<X509Certificate> peerChain, String authType, String peerHostName,
            boolean defaultVerificationPassed, Exception defaultVerificationFailure) {
        this.peerChain = List.copyOf(peerChain);
        this.authType = Objects.requireNonNull(authType, "authType");
        this.peerHostName = peerHostName;
        this.defaultVerificationPassed = defaultVerificationPassed;
        this.defaultVerificationFailure = defaultVerificationFailure;
    }

    /** The peer's certificate chain, leaf first. */
    public List<X509Certificate> peerChain() {
        return peerChain;
    }

    /** The authentication type the TLS provider reported for the key exchange. */
    public String authType() {
        return authType;
    }

    /** The host name the connection was made to (the verified name), when known. */
    public Optional<String> peerHostName() {
        return Optional.ofNullable(peerHostName);
    }

    /**
     * Whether the default verification accepted the chain. It is {@code false} both when it failed
     * and when it was not performed because {@code verifyCertificate(false)} was configured.
     */
    public boolean defaultVerificationPassed() {
        return defaultVerificationPassed;
    }

    /** Why the default verification rejected the chain, when it ran and failed. */
    public Optional<Exception> defaultVerificationFailure() {
        return Optional.ofNullable(defaultVerificationFailure);
    }

    @Override
    public String toString() {
        return "TrustVerificationRequest[peer=" + (peerChain.isEmpty() ? "none"
                : peerChain.get(0).getSubjectX500Principal().getName())
                + ", chainLength=" + peerChain.size() + ", authType=" + authType
                + ", peerHostName=" + peerHostName + ", defaultVerificationPassed=" + defaultVerificationPassed + "]";
    }
}

package io.taps.security;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the security handshake of an established Connection actually negotiated (RFC 9622 §6.3
 * Security Parameters, §8 Connection Properties: the outcome a Connection reports, not what was
 * asked for). Read it with {@link io.taps.Connection#securityOutcome()}; a Connection without
 * security (cleartext, or the cleartext branch of opportunistic security) has none.
 *
 * <p>Immutable and taken once, when the handshake completed, so it stays readable after the
 * Connection closed. On QUIC every stream Connection of one QUIC connection reports the same outcome
 * (one TLS 1.3 handshake, RFC 9001).
 *
 * @param protocolVersion the negotiated version as the TLS provider names it, for example
 *     {@code TLSv1.3} or {@code TLSv1.2}; QUIC always reports {@code TLSv1.3}
 * @param cipherSuite the negotiated cipher suite, for example {@code TLS_AES_128_GCM_SHA256}
 * @param applicationProtocol the ALPN protocol both sides agreed on, if any
 * @param peerCertificates the certificate chain the peer presented, leaf first and verified as the
 *     Security Parameters demand; on a Listener with client authentication this is the client's
 *     identity; empty when the peer sent none
 * @param localCertificates the chain this side presented, leaf first; empty when none was sent
 * @param resumed whether the handshake resumed an earlier session (RFC 8446 §2.2 PSK resumption or
 *     a TLS 1.2 session), so no certificate was exchanged in it
 */
public record SecurityOutcome(String protocolVersion, String cipherSuite, Optional<String> applicationProtocol,
        List<X509Certificate> peerCertificates, List<X509Certificate> localCertificates, boolean resumed) {

    /** Copies the lists and checks that nothing is null. */
    public SecurityOutcome {
        Objects.requireNonNull(protocolVersion, "protocolVersion");
        Objects.requireNonNull(cipherSuite, "cipherSuite");
        Objects.requireNonNull(applicationProtocol, "applicationProtocol");
        peerCertificates = List.copyOf(peerCertificates);
        localCertificates = List.copyOf(localCertificates);
    }

    /** The negotiated version as a {@link TlsVersion}, when it is one taps knows (TLS 1.2 or 1.3). */
    public Optional<TlsVersion> tlsVersion() {
        for (TlsVersion v : TlsVersion.values()) {
            if (v.protocolName().equals(protocolVersion)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** The peer's leaf certificate (its identity), if it sent one. */
    public Optional<X509Certificate> peerCertificate() {
        return peerCertificates.isEmpty() ? Optional.empty() : Optional.of(peerCertificates.get(0));
    }

    @Override
    public String toString() {
        return "SecurityOutcome[" + protocolVersion + ", " + cipherSuite + ", alpn="
                + applicationProtocol.orElse("none") + ", peer="
                + peerCertificate().map(c -> c.getSubjectX500Principal().getName()).orElse("none")
                + ", resumed=" + resumed + "]";
    }
}

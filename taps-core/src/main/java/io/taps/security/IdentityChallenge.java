package io.taps.security;

import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * The peer's request for a local identity, given to an {@link IdentityChallengeCallback}
 * (RFC 9622 §6.3.2; checklist SEC-11). Immutable.
 */
public final class IdentityChallenge {
    private final List<String> keyTypes;
    private final List<X500Principal> acceptableIssuers;
    private final String peerHostName;

    /**
     * Creates a challenge.
     *
     * @param keyTypes key algorithm names the peer accepts, as the TLS provider reports them
     *     (for example {@code RSA}, {@code EC})
     * @param acceptableIssuers issuers the peer accepts; empty means any
     * @param peerHostName the peer's host name, or {@code null} when unknown
     */
    public IdentityChallenge(List<String> keyTypes, List<X500Principal> acceptableIssuers, String peerHostName) {
        this.keyTypes = List.copyOf(keyTypes);
        this.acceptableIssuers = List.copyOf(acceptableIssuers);
        this.peerHostName = peerHostName;
    }

    /** Key algorithm names the peer accepts. */
    public List<String> keyTypes() {
        return keyTypes;
    }

    /** Certificate issuers the peer accepts; empty means the peer did not restrict them. */
    public List<X500Principal> acceptableIssuers() {
        return acceptableIssuers;
    }

    /** The peer's host name, when known. */
    public Optional<String> peerHostName() {
        return Optional.ofNullable(peerHostName);
    }

    @Override
    public String toString() {
        return "IdentityChallenge[keyTypes=" + keyTypes + ", acceptableIssuers=" + acceptableIssuers
                + ", peerHostName=" + peerHostName + "]";
    }
}

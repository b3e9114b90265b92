package io.taps.security;

/**
 * The answer of a {@link TrustVerificationCallback} (RFC 9622 §6.3.1 trust verification callback;
 * checklist SEC-10, O-11).
 */
public enum TrustDecision {
    /** Trust the peer, even when the default verification failed. */
    ACCEPT,
    /** Fail the handshake, even when the default verification passed. */
    REJECT
}

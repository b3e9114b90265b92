package io.taps.security;

/**
 * How much security a connection must have (RFC 9622 §6.3; checklist SEC-08, SEC-09, SEC-13, Q-17).
 *
 * <p>taps never falls back from one level to a weaker one on its own: a {@link #REQUIRED} connection
 * whose handshake fails reports SecurityFailed instead of trying plaintext.
 */
public enum SecurityLevel {
    /** TLS with certificate and hostname verification; the default (SEC-13). */
    REQUIRED,
    /**
     * Plaintext is acceptable, but unauthenticated TLS is tried when the peer offers it
     * (RFC 9622 §6.3 {@code NewOpportunisticSecurityParameters}, SEC-09). Protects only against
     * passive eavesdroppers, never against an active attacker.
     */
    OPPORTUNISTIC,
    /** No security is added to the stack (RFC 9622 §6.3 {@code NewDisabledSecurityParameters}, SEC-08). */
    DISABLED
}

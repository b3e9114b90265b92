package io.taps.internal.selection;

/**
 * What the Preconnection's Security Parameters (RFC 9622 §6.3) allow, reduced to what candidate
 * selection needs (C-08, Q-17, SEC-08, SEC-09).
 */
public enum SecurityMode {
    /** Only secure stacks; never a cleartext fallback. */
    REQUIRED,
    /** Secure stacks first, cleartext allowed (NewOpportunisticSecurityParameters, SEC-09). */
    OPPORTUNISTIC,
    /** Only stacks without security (NewDisabledSecurityParameters, SEC-08). */
    DISABLED
}

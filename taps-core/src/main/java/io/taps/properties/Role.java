package io.taps.properties;

/**
 * How a Connection comes into being (RFC 9622 §7: Initiate, Listen, Rendezvous). Some Selection
 * Property defaults depend on it: {@code useTemporaryLocalAddress} (RFC 9622 §6.2.13, SP-13) and
 * {@code multipath} (RFC 9622 §6.2.14, SP-14).
 */
public enum Role {
    /** Active open (RFC 9622 §7.1). */
    INITIATE,
    /** Passive open through a Listener (RFC 9622 §7.2). */
    LISTEN,
    /** Simultaneous peer-to-peer open (RFC 9622 §7.3). */
    RENDEZVOUS
}

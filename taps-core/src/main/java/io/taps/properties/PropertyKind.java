package io.taps.properties;

/**
 * The four kinds of Transport Properties of RFC 9622 §4.1 (Selection, Connection, read-only
 * Connection, Message), which decide where a property may be set and when it may change.
 */
public enum PropertyKind {
    /** Selection Properties (RFC 9622 §6.2): fixed at pre-establishment, read back as Booleans (C-22). */
    SELECTION,
    /** Writable Connection Properties (RFC 9622 §8.1, §8.2): settable before and after establishment. */
    CONNECTION,
    /** Read-only Connection Properties (RFC 9622 §8.1.11): reported by the system, never set. */
    CONNECTION_READ_ONLY,
    /** Message Properties (RFC 9622 §9.1.3): per Message, with defaults on the Preconnection. */
    MESSAGE
}

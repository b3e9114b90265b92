package io.taps.security;

/**
 * Whether a server (a Listener) asks connecting clients for a certificate (RFC 9622 §6.3 client
 * certificates; checklist SEC-02, SEC-11). Ignored on the client side.
 */
public enum ClientAuthentication {
    /** The server does not ask for a client certificate. */
    NONE,
    /** The server asks; a client without a certificate is still accepted. */
    OPTIONAL,
    /** The server asks and fails the handshake when the client sends no trusted certificate. */
    REQUIRE
}

package io.taps.security;

/**
 * The TLS versions taps lets an application allow (RFC 9622 §6.3 allowed security protocols;
 * checklist SEC-01, C-08).
 *
 * <p>Versions older than TLS 1.2 are deliberately absent, so they cannot be configured at all:
 * a connection can never be downgraded to a version with known weaknesses.
 */
public enum TlsVersion {
    /** TLS 1.2 (RFC 5246). */
    TLS_1_2("TLSv1.2"),
    /** TLS 1.3 (RFC 8446). */
    TLS_1_3("TLSv1.3");

    private final String protocolName;

    TlsVersion(String protocolName) {
        this.protocolName = protocolName;
    }

    /** The JSSE protocol name, for example {@code TLSv1.3}. */
    public String protocolName() {
        return protocolName;
    }
}

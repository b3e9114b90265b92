package io.taps.internal.security;

import java.security.cert.CertificateException;

/**
 * A peer certificate rejection with the reason taps decided on (RFC 9622 §6.3; checklist SEC-03,
 * SEC-10), so that {@link TlsHandlers#classify(Throwable)} can name the reason without parsing
 * provider-specific messages. Both providers keep it in the handshake failure's cause chain.
 */
final class TapsCertificateException extends CertificateException {
    private static final long serialVersionUID = 1L;

    /** Why the certificate was rejected. */
    enum Kind {
        UNTRUSTED("untrusted certificate"),
        HOSTNAME_MISMATCH("hostname mismatch"),
        PIN_MISMATCH("certificate pinning failed"),
        REJECTED_BY_CALLBACK("rejected by the trust verification callback");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    private final Kind kind;

    TapsCertificateException(Kind kind, String detail, Throwable cause) {
        super(kind.description + ": " + detail, cause);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }
}

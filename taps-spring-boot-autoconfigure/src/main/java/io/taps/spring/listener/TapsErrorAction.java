package io.taps.spring.listener;

/**
 * What happens to the Connection after a {@link TapsExceptionHandler} method handled an error,
 * once its reply (if any) was Sent: the RFC 9622 §10 ways a Connection ends, or none.
 */
public enum TapsErrorAction {
    /** The Connection stays open and its next Message is handled, as after a normal reply. */
    KEEP_OPEN,
    /** Close (RFC 9622 §10): the reply and everything sent before it are delivered, then FIN. */
    CLOSE,
    /** Abort (RFC 9622 §10): the Connection ends at once (a TCP reset); unsent data is dropped. */
    ABORT
}

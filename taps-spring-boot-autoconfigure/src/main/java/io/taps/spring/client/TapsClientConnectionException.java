package io.taps.spring.client;

import org.jspecify.annotations.Nullable;

/**
 * The Connection a call was made on closed or failed before the call completed (RFC 9622 §10:
 * Closed, ConnectionError, or the peer's final Message), or the client is closed. The client
 * establishes a new Connection with back-off; the call itself is not retried, because the peer may
 * have acted on it.
 */
public class TapsClientConnectionException extends TapsClientException {
    private static final long serialVersionUID = 1L;

    public TapsClientConnectionException(String clientName, String message, @Nullable Throwable cause) {
        super(clientName, message, cause);
    }
}

package io.taps.properties;

import java.util.Map;

/**
 * The read-only {@code connState} Connection Property (RFC 9622 §8.1.11.1, RO-01), following the
 * Connection state machine of RFC 9622 §11 (E-20).
 */
public enum ConnectionState {
    /** Initiate, Listen or Rendezvous has been called; not yet Ready. */
    ESTABLISHING,
    /** Ready was delivered. */
    ESTABLISHED,
    /** Close was called or the peer started closing. */
    CLOSING,
    /** Closed or ConnectionError was delivered. */
    CLOSED;

    /** Parses the RFC spelling in any case. */
    public static ConnectionState parse(String text) {
        return Words.parseEnum(ConnectionState.class, text, Map.of());
    }
}

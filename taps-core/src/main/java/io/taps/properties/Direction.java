package io.taps.properties;

import java.util.Map;

/**
 * The {@code direction} Selection Property (RFC 9622 §6.2.16, SP-16): which way data may flow.
 * A unidirectional-receive Connection reports {@code canSend=false} (RO-02) and is needed for
 * multicast receive.
 */
public enum Direction {
    /** Data flows both ways (the default). */
    BIDIRECTIONAL,
    /** The local side only sends. */
    UNIDIRECTIONAL_SEND,
    /** The local side only receives. */
    UNIDIRECTIONAL_RECEIVE;

    /** Parses the RFC spelling ("Unidirectional send") in any case and separator style. */
    public static Direction parse(String text) {
        return Words.parseEnum(Direction.class, text,
                Map.of("send", UNIDIRECTIONAL_SEND, "receive", UNIDIRECTIONAL_RECEIVE, "both", BIDIRECTIONAL));
    }

    /** False for {@link #UNIDIRECTIONAL_RECEIVE}. */
    public boolean canSend() {
        return this != UNIDIRECTIONAL_RECEIVE;
    }

    /** False for {@link #UNIDIRECTIONAL_SEND}. */
    public boolean canReceive() {
        return this != UNIDIRECTIONAL_SEND;
    }
}

package io.taps.internal.conn;

/**
 * Told once when a Connection has ended (RFC 9622 §11: Closed, ConnectionError or
 * EstablishmentError). One instance serves every Connection of its owner (the engine, a Listener)
 * and gets the Connection as argument: a closure per Connection, or a dependent of its
 * {@code closed()} future, was kept for the Connection's whole life (issue 21 item 4).
 */
@FunctionalInterface
public interface ConnectionEnd {
    void ended(TapsConnection connection);
}

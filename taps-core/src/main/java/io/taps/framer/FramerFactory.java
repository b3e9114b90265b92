package io.taps.framer;

/**
 * Makes the {@link Framer} instances of one Preconnection (RFC 9622 §9.1.2.1
 * "Preconnection.AddFramer", design decision Q-13): taps calls {@link #newFramer()} once for every
 * establishment attempt and every Connection a Listener accepts (and, later, every clone), so a
 * framer may keep per-Connection state without synchronisation. A factory that returns the same
 * instance every time opts into a shared framer, which must then be thread-safe and keep no
 * per-Connection state in itself (each Connection still has its own {@link FramerContext}). The
 * built-in length-prefix and TLV factories do so (their framers are immutable); the delimiter
 * framer's factory makes one per Connection, as a framer with state must.
 */
@FunctionalInterface
public interface FramerFactory {
    /** A new framer for one Connection (or one establishment attempt). */
    Framer newFramer();
}

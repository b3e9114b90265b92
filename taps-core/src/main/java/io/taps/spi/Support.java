package io.taps.spi;

/**
 * How a protocol stack provides a Selection Property (RFC 9622 §6.2; RFC 9623 §4.1.3 filtering):
 * always, on request, or not at all. Require removes stacks that {@link #NEVER} provide a property,
 * Prohibit removes those that {@link #ALWAYS} do (SEL-02).
 */
public enum Support {
    /** The stack always provides the property; it cannot be turned off. */
    ALWAYS,
    /** The stack can provide the property or run without it, as the application asks. */
    OPTIONAL,
    /** The stack cannot provide the property. */
    NEVER
}

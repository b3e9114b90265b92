package io.taps.spi;

import io.taps.properties.Property;
import io.taps.properties.PropertyKind;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a protocol stack can do, in terms of the Selection Properties of RFC 9622 §6.2: the input of
 * candidate selection (RFC 9623 §4.1.3, SEL-02). A protocol module declares one per stack it offers.
 *
 * <p>Semantics of {@link #support(Property)} for the Selection Properties that are not Preferences:
 * <ul>
 *   <li>{@code multipath} (SP-14): whether the stack can use several paths (MPTCP); {@code ALWAYS}
 *       is not meaningful since the application can always disable it.</li>
 *   <li>{@code advertisesAltaddr} (SP-15): whether the stack can advertise other local addresses.</li>
 *   <li>{@code direction} (SP-16): not declared; every stack can be used in either unidirectional
 *       mode by not sending or not reading.</li>
 *   <li>{@code interface} and {@code pvd} (SP-11, SP-12): path properties, not stack properties
 *       (SEL-03); not declared here and ignored by stack selection. Path selection belongs to
 *       candidate gathering and racing.</li>
 * </ul>
 * Undeclared properties are {@link Support#NEVER}.
 */
public final class StackCapabilities {
    private final String name;
    private final boolean secure;
    private final boolean byteStream;
    private final Map<Property<?>, Support> support;

    private StackCapabilities(String name, boolean secure, boolean byteStream, Map<Property<?>, Support> support) {
        this.name = name;
        this.secure = secure;
        this.byteStream = byteStream;
        this.support = support;
    }

    /** A builder for a stack called {@code name}, e.g. "TLS/TCP". */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The stack's display name, top protocol last: "TCP", "TLS/TCP", "UDP". */
    public String name() {
        return name;
    }

    /** True when the stack authenticates and encrypts (C-08, Q-17). */
    public boolean secure() {
        return secure;
    }

    /**
     * True when the protocol the application sees is a byte stream: a framer on the Preconnection
     * then makes the stack boundary-preserving (Q-3, see {@link #withFramer()}).
     */
    public boolean byteStream() {
        return byteStream;
    }

    /** How the stack provides {@code selectionProperty}; {@link Support#NEVER} when not declared. */
    public Support support(Property<?> selectionProperty) {
        return support.getOrDefault(selectionProperty, Support.NEVER);
    }

    /** The declared support levels in table order, unmodifiable. */
    public Map<Property<?>, Support> declared() {
        return support;
    }

    /**
     * These capabilities as seen through a message framer (RFC 9622 §9.1.2, Q-3): a byte-stream
     * stack then always preserves message boundaries. Non-byte-stream stacks are returned unchanged.
     */
    public StackCapabilities withFramer() {
        if (!byteStream || support(Property.PRESERVE_MSG_BOUNDARIES) == Support.ALWAYS) {
            return this;
        }
        return toBuilder().support(Property.PRESERVE_MSG_BOUNDARIES, Support.ALWAYS).build();
    }

    /** A builder holding these capabilities. */
    public Builder toBuilder() {
        Builder b = new Builder(name).secure(secure).byteStream(byteStream);
        b.support.putAll(support);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof StackCapabilities)) {
            return false;
        }
        StackCapabilities other = (StackCapabilities) o;
        return name.equals(other.name) && secure == other.secure && byteStream == other.byteStream
                && support.equals(other.support);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, secure, byteStream, support);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Builds {@link StackCapabilities}; only Selection Properties can be declared. */
    public static final class Builder {
        private final String name;
        private boolean secure;
        private boolean byteStream;
        private final Map<Property<?>, Support> support = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** Whether the stack is secure; default false. */
        public Builder secure(boolean secure) {
            this.secure = secure;
            return this;
        }

        /** Whether the top protocol is a byte stream; default false. */
        public Builder byteStream(boolean byteStream) {
            this.byteStream = byteStream;
            return this;
        }

        /** Declares how the stack provides a Selection Property. */
        public Builder support(Property<?> selectionProperty, Support level) {
            if (selectionProperty.kind() != PropertyKind.SELECTION) {
                throw new IllegalArgumentException(selectionProperty.name() + " is not a Selection Property");
            }
            support.put(selectionProperty, Objects.requireNonNull(level, "level"));
            return this;
        }

        /** The immutable capabilities. */
        public StackCapabilities build() {
            Map<Property<?>, Support> ordered = new LinkedHashMap<>();
            for (Property<?> p : Property.ofKind(PropertyKind.SELECTION)) {
                if (support.containsKey(p)) {
                    ordered.put(p, support.get(p));
                }
            }
            return new StackCapabilities(name, secure, byteStream, Collections.unmodifiableMap(ordered));
        }
    }
}

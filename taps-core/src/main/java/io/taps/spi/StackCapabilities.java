package io.taps.spi;

import io.taps.properties.Property;
import io.taps.properties.PropertyKind;
import io.taps.security.TlsVersion;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
    private final Set<TlsVersion> tlsVersions;
    private final Set<String> propertyNamespaces;
    /**
     * {@link #withFramer()}, made once: every framed Connection asks, and a copy each kept ~700 B of
     * maps per Connection. Immutable, so a race between two first callers only builds it twice.
     */
    private StackCapabilities framed;

    private StackCapabilities(String name, boolean secure, boolean byteStream, Map<Property<?>, Support> support,
            Set<TlsVersion> tlsVersions, Set<String> propertyNamespaces) {
        this.name = name;
        this.secure = secure;
        this.byteStream = byteStream;
        this.support = support;
        this.tlsVersions = tlsVersions;
        this.propertyNamespaces = propertyNamespaces;
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

    /**
     * The TLS versions a secure stack can negotiate (RFC 9622 §6.3); empty for a cleartext stack or
     * one that does not say. Selection lets secure stacks race only when each would negotiate the
     * same versions under the SecurityParameters (design.md Q-17: never end on an older version
     * because another branch won).
     */
    public Set<TlsVersion> tlsVersions() {
        return tlsVersions;
    }

    /**
     * The namespaces of protocol-specific properties this stack applies (RFC 9622 §4.1 "Transport
     * Property Names", e.g. {@code "tcp"} for {@code tcp.userTimeoutValue}); a Connection of
     * another stack refuses them as not applicable.
     */
    public Set<String> propertyNamespaces() {
        return propertyNamespaces;
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
        StackCapabilities made = framed;
        if (made == null) {
            made = toBuilder().support(Property.PRESERVE_MSG_BOUNDARIES, Support.ALWAYS).build();
            framed = made;
        }
        return made;
    }

    /** A builder holding these capabilities. */
    public Builder toBuilder() {
        Builder b = new Builder(name).secure(secure).byteStream(byteStream);
        b.support.putAll(support);
        b.tlsVersions.addAll(tlsVersions);
        b.propertyNamespaces.addAll(propertyNamespaces);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof StackCapabilities)) {
            return false;
        }
        StackCapabilities other = (StackCapabilities) o;
        return name.equals(other.name) && secure == other.secure && byteStream == other.byteStream
                && support.equals(other.support) && tlsVersions.equals(other.tlsVersions)
                && propertyNamespaces.equals(other.propertyNamespaces);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, secure, byteStream, support, tlsVersions, propertyNamespaces);
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
        private final Set<TlsVersion> tlsVersions = EnumSet.noneOf(TlsVersion.class);
        private final Set<String> propertyNamespaces = new LinkedHashSet<>();

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

        /** The TLS versions the (secure) stack can negotiate; see {@link StackCapabilities#tlsVersions()}. */
        public Builder tlsVersions(TlsVersion... versions) {
            tlsVersions.clear();
            tlsVersions.addAll(java.util.Arrays.asList(versions));
            return this;
        }

        /** Adds a protocol-specific property namespace the stack applies, e.g. {@code "tcp"}. */
        public Builder propertyNamespace(String namespace) {
            propertyNamespaces.add(Objects.requireNonNull(namespace, "namespace"));
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
            return new StackCapabilities(name, secure, byteStream, Collections.unmodifiableMap(ordered),
                    Collections.unmodifiableSet(EnumSet.copyOf(tlsVersions.isEmpty()
                            ? EnumSet.noneOf(TlsVersion.class) : tlsVersions)),
                    Collections.unmodifiableSet(new LinkedHashSet<>(propertyNamespaces)));
        }
    }
}

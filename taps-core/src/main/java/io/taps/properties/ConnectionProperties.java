package io.taps.properties;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The immutable snapshot that {@code Connection.getProperties()} returns (RFC 9622 §8, O-10, A-17):
 * the state, {@code canSend}/{@code canReceive}, the message size limits, every Connection Property
 * and the Selection Properties as the chosen stack provides them.
 *
 * <p>Selection Properties of Preference type are stored as Booleans, because RFC 9622 §6.2 says that
 * on an established Connection they "become Booleans when read" (C-22): true means the stack
 * provides the feature. {@link #get(String)} and {@link #asMap()} therefore show Booleans, while the
 * typed {@link #get(Property)} returns Require for true and Prohibit for false, the representation
 * the RFC also allows. {@link #has(Property)} is the Boolean reading of any Boolean or Preference
 * property. A property missing from the snapshot reads as its RFC default.
 */
public final class ConnectionProperties {
    private final Map<Property<?>, Object> values;

    private ConnectionProperties(Map<Property<?>, Object> values) {
        this.values = values;
    }

    /**
     * A snapshot of {@code values}; each value is converted with {@link Property#convert}, Preference
     * Selection Properties to a Boolean (Require/Prohibit accepted as true/false). Message properties,
     * and Prefer/Avoid/No Preference as a Selection reading, are INVALID_PROPERTY.
     */
    public static ConnectionProperties of(Map<Property<?>, Object> values) {
        Map<Property<?>, Object> ordered = new LinkedHashMap<>();
        for (Property<?> p : Property.all()) {
            if (!values.containsKey(p)) {
                continue;
            }
            if (p.kind() == PropertyKind.MESSAGE) {
                throw new TransportServicesException(ErrorReason.INVALID_PROPERTY,
                        "property " + p.name() + " is a Message property and has no Connection value");
            }
            Object v = values.get(p);
            ordered.put(p, isSelectionPreference(p) ? selectionBoolean(p, v) : p.convert(v));
        }
        return new ConnectionProperties(Collections.unmodifiableMap(ordered));
    }

    private static boolean isSelectionPreference(Property<?> p) {
        return p.kind() == PropertyKind.SELECTION && p.isPreference();
    }

    private static Boolean selectionBoolean(Property<?> p, Object v) {
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        Preference pref = (Preference) p.convert(v);
        if (pref == Preference.REQUIRE) {
            return true;
        }
        if (pref == Preference.PROHIBIT) {
            return false;
        }
        throw new TransportServicesException(ErrorReason.INVALID_PROPERTY, "property " + p.name()
                + " on a Connection is a Boolean (C-22); expected true/false or require/prohibit, got '" + v + "'");
    }

    /** The value of {@code property}: a Preference Selection Property reads as Require (true) or Prohibit (false). */
    public <T> T get(Property<T> property) {
        Object v = values.get(property);
        if (v == null) {
            return property.defaultValue();
        }
        if (isSelectionPreference(property)) {
            return property.convert(v);
        }
        return property.type().cast(v);
    }

    /** The stored value by RFC name or alias (Booleans for Preference Selection Properties), else the default. */
    public Object get(String name) {
        Property<?> p = Property.byName(name);
        Object v = values.get(p);
        return v != null ? v : p.defaultValue();
    }

    /** True when the snapshot holds a value for {@code property} rather than falling back to the default. */
    public boolean contains(Property<?> property) {
        return values.containsKey(property);
    }

    /**
     * The Boolean reading of a Boolean, Preference or {@code multipath} property (RFC 9622 §8 Has,
     * C-22): a Boolean as is; a Preference true for Require or Prefer; {@code multipath} true unless
     * Disabled. Other types are INVALID_PROPERTY.
     */
    public boolean has(Property<?> property) {
        Object v = values.containsKey(property) ? values.get(property) : property.defaultValue();
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        if (v instanceof Preference) {
            return v == Preference.REQUIRE || v == Preference.PREFER;
        }
        if (v instanceof MultipathMode) {
            return v != MultipathMode.DISABLED;
        }
        throw new TransportServicesException(ErrorReason.INVALID_PROPERTY, "property " + property.name()
                + " is a " + property.type().getSimpleName() + ", not a Boolean or Preference; use get()");
    }

    /** RFC name to stored value, in table order, unmodifiable. */
    public Map<String, Object> asMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((p, v) -> out.put(p.name(), v));
        return Collections.unmodifiableMap(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectionProperties && values.equals(((ConnectionProperties) o).values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "ConnectionProperties" + asMap();
    }
}

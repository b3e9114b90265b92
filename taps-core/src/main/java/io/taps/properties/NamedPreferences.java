package io.taps.properties;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A set of (name, Preference) pairs: the value type of the path Selection Properties
 * {@code interface} (RFC 9622 §6.2.11, SP-11) and {@code pvd} (§6.2.12, SP-12). Names are
 * interface names or types ("wlan0", "Wi-Fi") or Provisioning Domain identifiers, compared exactly
 * because Linux interface names are case-sensitive.
 *
 * <p>Entries are kept sorted by name so that equal sets print and iterate identically (C-18).
 */
public final class NamedPreferences {
    /** No preferences, the RFC 9622 default. */
    public static final NamedPreferences EMPTY = new NamedPreferences(new TreeMap<>());

    private final Map<String, Preference> entries;

    private NamedPreferences(TreeMap<String, Preference> entries) {
        this.entries = Collections.unmodifiableMap(entries);
    }

    /** A copy of {@code entries}; null names or preferences are rejected. */
    public static NamedPreferences of(Map<String, Preference> entries) {
        TreeMap<String, Preference> copy = new TreeMap<>();
        entries.forEach((name, pref) -> copy.put(requireName(name), Objects.requireNonNull(pref, "preference")));
        return copy.isEmpty() ? EMPTY : new NamedPreferences(copy);
    }

    /**
     * Parses {@code "wlan0=require, eth0=avoid"} (',' or ';' separated, '=' or ':' between name and
     * level); an empty string is {@link #EMPTY}. Malformed text is INVALID_PROPERTY.
     */
    public static NamedPreferences parse(String text) {
        if (text == null) {
            throw new TransportServicesException(ErrorReason.INVALID_PROPERTY,
                    "'null' is not a list of name=preference pairs");
        }
        TreeMap<String, Preference> map = new TreeMap<>();
        for (String part : text.split("[,;]")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.split("[=:]", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new TransportServicesException(ErrorReason.INVALID_PROPERTY, "'" + text
                        + "' is not a list of name=preference pairs such as 'wlan0=require, eth0=avoid'");
            }
            map.put(kv[0].trim(), Preference.parse(kv[1].trim()));
        }
        return map.isEmpty() ? EMPTY : new NamedPreferences(map);
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a name must not be blank");
        }
        return name;
    }

    /** A copy with {@code name} set to {@code preference}, replacing any previous level. */
    public NamedPreferences with(String name, Preference preference) {
        TreeMap<String, Preference> copy = new TreeMap<>(entries);
        copy.put(requireName(name), Objects.requireNonNull(preference, "preference"));
        return new NamedPreferences(copy);
    }

    /** The level given for {@code name}, if any. */
    public Optional<Preference> get(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /** True when no name has a level. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The entries, sorted by name, unmodifiable. */
    public Map<String, Preference> asMap() {
        return entries;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamedPreferences && entries.equals(((NamedPreferences) o).entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}

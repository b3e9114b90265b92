package io.taps.spring.framer;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.framer.delimiter.DelimiterFramer;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.framer.tlv.TlvFramer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Message Framers (RFC 9622 §9.1.2.1) that profiles may name: the built-in ones and every
 * {@link TapsFramer @TapsFramer} bean, a bean replacing a built-in of the same name.
 *
 * <p>Built-in names: {@code length-prefix} (a 4-byte big-endian length before each Message,
 * {@link LengthPrefixFramer#factory(int)}), {@code line} (Messages end with a line feed,
 * {@link DelimiterFramer#lines()}) and {@code tlv} (a 2-byte type and a 4-byte length,
 * {@link TlvFramer#factory(int, int)}). {@code taps.framers.<name>} changes their options (length
 * size, byte order, delimiter, maximum message size) or defines further names of a built-in type.
 */
public final class TapsFramers {
    private final Map<String, FramerFactory> byName;

    public TapsFramers(Map<String, FramerFactory> named) {
        Map<String, FramerFactory> all = new LinkedHashMap<>(builtIns());
        all.putAll(named);
        this.byName = Collections.unmodifiableMap(all);
    }

    /** The built-in framers by name. */
    public static Map<String, FramerFactory> builtIns() {
        Map<String, FramerFactory> builtIns = new LinkedHashMap<>();
        builtIns.put("length-prefix", LengthPrefixFramer.factory(4));
        builtIns.put("line", DelimiterFramer.lines());
        builtIns.put("tlv", TlvFramer.factory(2, 4));
        return builtIns;
    }

    /** The framer called {@code name}, if any. */
    public Optional<FramerFactory> find(String name) {
        return Optional.ofNullable(this.byName.get(name));
    }

    /** The framer called {@code name}; an unknown name fails with the known names. */
    public FramerFactory get(String name) {
        FramerFactory factory = this.byName.get(name);
        if (factory == null) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "unknown framer '" + name + "'; known framers: " + names());
        }
        return factory;
    }

    /** Every known framer name, sorted. */
    public Set<String> names() {
        return Collections.unmodifiableSet(new TreeSet<>(this.byName.keySet()));
    }
}

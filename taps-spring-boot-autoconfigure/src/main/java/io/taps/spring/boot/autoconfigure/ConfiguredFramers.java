package io.taps.spring.boot.autoconfigure;

import io.taps.ErrorReason;
import io.taps.framer.FramerFactory;
import io.taps.framer.delimiter.DelimiterFramer;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.framer.tlv.TlvFramer;
import io.taps.spring.boot.autoconfigure.TapsFramerSettings.FramerByteOrder;
import io.taps.spring.boot.autoconfigure.TapsFramerSettings.FramerType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;

/**
 * Builds the framers of {@code taps.framers.<name>} (RFC 9622 §9.1.2.1) from the core's built-in
 * framer builders; every option is checked against the framer's type so that an option a framer
 * does not have fails start-up instead of being ignored.
 */
final class ConfiguredFramers {
    private static final Map<String, FramerType> BUILT_IN_NAMES = Map.of("length-prefix", FramerType.LENGTH_PREFIX,
            "line", FramerType.LINE, "tlv", FramerType.TLV);

    private ConfiguredFramers() {
    }

    /** A factory per configured name. */
    static Map<String, FramerFactory> create(Map<String, TapsFramerSettings> settings) {
        Map<String, FramerFactory> factories = new LinkedHashMap<>();
        settings.forEach((name, framer) -> factories.put(name, create(name, framer)));
        return factories;
    }

    private static FramerFactory create(String name, TapsFramerSettings settings) {
        String prefix = "taps.framers." + name;
        FramerType type = type(name, settings, prefix);
        try {
            return switch (type) {
                case LENGTH_PREFIX -> lengthPrefix(settings, prefix);
                case LINE -> line(settings, prefix);
                case TLV -> tlv(settings, prefix);
            };
        }
        catch (IllegalArgumentException ex) {
            throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, prefix, ex.getMessage(),
                    "Fix the options of the " + kebab(type) + " framer " + name + ".", ex);
        }
    }

    private static FramerType type(String name, TapsFramerSettings settings, String prefix) {
        FramerType builtIn = BUILT_IN_NAMES.get(name);
        FramerType type = settings.getType();
        if (type == null) {
            if (builtIn == null) {
                throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, prefix + ".type",
                        "the framer '" + name + "' has no type",
                        "Set " + prefix + ".type to length-prefix, line or tlv.", null);
            }
            return builtIn;
        }
        if (builtIn != null && builtIn != type) {
            throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, prefix + ".type",
                    "the built-in framer '" + name + "' is a " + kebab(builtIn) + " framer, not " + kebab(type),
                    "Give the " + kebab(type) + " framer another name, or drop " + prefix + ".type.", null);
        }
        return type;
    }

    private static FramerFactory lengthPrefix(TapsFramerSettings settings, String prefix) {
        only(settings, prefix, FramerType.LENGTH_PREFIX);
        LengthPrefixFramer.Builder builder = LengthPrefixFramer.builder(size(settings.getLengthSize(), 4,
                prefix + ".length-size"));
        if (settings.getByteOrder() == FramerByteOrder.LITTLE_ENDIAN) {
            builder.littleEndian();
        }
        if (settings.getMaxMessageSize() != null) {
            builder.maxMessageSize(bytes(settings.getMaxMessageSize(), Long.MAX_VALUE, prefix));
        }
        return builder.factory();
    }

    private static FramerFactory tlv(TapsFramerSettings settings, String prefix) {
        only(settings, prefix, FramerType.TLV);
        TlvFramer.Builder builder = TlvFramer.builder(size(settings.getTypeSize(), 2, prefix + ".type-size"),
                size(settings.getLengthSize(), 4, prefix + ".length-size"));
        if (settings.getByteOrder() == FramerByteOrder.LITTLE_ENDIAN) {
            builder.littleEndian();
        }
        if (settings.getMaxMessageSize() != null) {
            builder.maxMessageSize(bytes(settings.getMaxMessageSize(), Long.MAX_VALUE, prefix));
        }
        return builder.factory();
    }

    private static FramerFactory line(TapsFramerSettings settings, String prefix) {
        only(settings, prefix, FramerType.LINE);
        String delimiter = settings.getDelimiter();
        DelimiterFramer.Builder builder = DelimiterFramer
            .builder(delimiter == null ? new byte[] { '\n' } : delimiter(delimiter, prefix + ".delimiter"));
        if (Boolean.TRUE.equals(settings.getCrlfTolerant())) {
            builder.crlfTolerant();
        }
        if (Boolean.TRUE.equals(settings.getKeepDelimiter())) {
            builder.keepDelimiter();
        }
        if (settings.getMaxMessageSize() != null) {
            builder.maxMessageSize((int) bytes(settings.getMaxMessageSize(), Integer.MAX_VALUE, prefix));
        }
        return builder.factory();
    }

    /** Fails for the first option set that a framer of {@code type} does not have. */
    private static void only(TapsFramerSettings settings, String prefix, FramerType type) {
        boolean header = type != FramerType.LINE;
        reject(type == FramerType.LINE && settings.getLengthSize() != null, prefix, "length-size", type);
        reject(type != FramerType.TLV && settings.getTypeSize() != null, prefix, "type-size", type);
        reject(!header && settings.getByteOrder() != null, prefix, "byte-order", type);
        reject(header && settings.getDelimiter() != null, prefix, "delimiter", type);
        reject(header && settings.getCrlfTolerant() != null, prefix, "crlf-tolerant", type);
        reject(header && settings.getKeepDelimiter() != null, prefix, "keep-delimiter", type);
    }

    private static void reject(boolean set, String prefix, String option, FramerType type) {
        if (set) {
            throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, prefix + "." + option,
                    "a " + kebab(type) + " framer has no " + option + " option",
                    "Remove " + prefix + "." + option + ", or set " + prefix + ".type to a framer that has it.", null);
        }
    }

    private static int size(@Nullable Integer value, int fallback, String key) {
        int size = value == null ? fallback : value;
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, key,
                    "a field of " + size + " bytes is not supported", "Set " + key + " to 1, 2, 4 or 8.", null);
        }
        return size;
    }

    private static long bytes(DataSize size, long max, String prefix) {
        long bytes = size.toBytes();
        if (bytes < 0 || bytes > max) {
            throw new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, prefix + ".max-message-size",
                    size + " is outside 0B.." + max + "B", "Set a size from 0B to " + max + " bytes, e.g. 64KB.", null);
        }
        return bytes;
    }

    /** The bytes of a delimiter: a name (lf, crlf, cr, nul) or UTF-8 text with backslash escapes. */
    static byte[] delimiter(String text, String key) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "lf":
                return new byte[] { '\n' };
            case "crlf":
                return new byte[] { '\r', '\n' };
            case "cr":
                return new byte[] { '\r' };
            case "nul":
                return new byte[] { 0 };
            default:
                break;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            char next = i + 1 < text.length() ? text.charAt(i + 1) : '?';
            i++;
            switch (next) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '0' -> out.write(0);
                case '\\' -> out.write('\\');
                case 'x' -> {
                    try {
                        out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                    }
                    catch (NumberFormatException | IndexOutOfBoundsException ex) {
                        throw badDelimiter(text, key);
                    }
                    i += 2;
                }
                default -> throw badDelimiter(text, key);
            }
        }
        if (out.size() == 0) {
            throw badDelimiter(text, key);
        }
        return out.toByteArray();
    }

    private static TapsConfigurationException badDelimiter(String text, String key) {
        return new TapsConfigurationException(ErrorReason.INVALID_CONFIGURATION, key,
                "'" + text + "' is not a delimiter",
                "Use lf, crlf, cr, nul, or text with the escapes \\r \\n \\t \\0 \\\\ \\xHH.", null);
    }

    private static String kebab(FramerType type) {
        return type.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

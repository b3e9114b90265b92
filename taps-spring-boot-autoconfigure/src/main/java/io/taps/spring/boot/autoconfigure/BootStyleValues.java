package io.taps.spring.boot.autoconfigure;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.Limit;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import java.time.Duration;
import java.util.Set;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;

/**
 * Reads profile values ({@code taps.profiles.<name>.connection|message.*}) the way Spring Boot reads
 * {@link Duration} and {@link DataSize} properties, before the core parses them (RFC 9622 leaves
 * the unit of timeouts to the implementation, Q-9): a timeout is {@code 5s}, {@code 250ms},
 * {@code PT5S} or a bare number of milliseconds; a byte-sized limit is {@code 16MB}, {@code 64KB}
 * or a bare number of bytes. Words ({@code disabled}, {@code unlimited}) go to the core unchanged.
 */
final class BootStyleValues {
    /** The Limit-typed properties that count bytes (the others count connections or bits per second). */
    private static final Set<Property<?>> BYTE_SIZES = Set.of(Property.SEND_QUEUE_LIMIT);

    private BootStyleValues() {
    }

    /** {@code value} as the core should receive it for {@code property}. */
    static Object convert(Property<?> property, Object value) {
        if (!(value instanceof String text)) {
            return value;
        }
        String trimmed = text.trim();
        if (trimmed.isEmpty() || !Character.isDigit(trimmed.charAt(0)) && !trimmed.regionMatches(true, 0, "P", 0, 1)
                && trimmed.charAt(0) != '-') {
            return value;
        }
        if (property.type() == Timeout.class) {
            Duration duration;
            try {
                duration = DurationStyle.detectAndParse(trimmed);
            }
            catch (IllegalArgumentException ex) {
                return value;
            }
            if (duration.isZero() || duration.isNegative()) {
                throw new TransportServicesException(ErrorReason.INVALID_PROPERTY,
                        "'" + text + "' is not a valid timeout: it must be greater than zero (or 'disabled')");
            }
            return duration;
        }
        if (BYTE_SIZES.contains(property)) {
            try {
                return DataSize.parse(trimmed).toBytes();
            }
            catch (IllegalArgumentException ex) {
                return value;
            }
        }
        return value;
    }

    /** What a value of {@code property} looks like, for the action of a start-up failure. */
    static String expected(Property<?> property) {
        if (property.isPreference()) {
            return "Use one of require, prefer, no-preference, avoid, prohibit.";
        }
        if (property.type() == Timeout.class) {
            return "Give a duration such as 5s, 250ms or PT5S (a bare number is milliseconds), or disabled.";
        }
        if (BYTE_SIZES.contains(property)) {
            return "Give a size such as 16MB or 64KB (a bare number is bytes), or unlimited.";
        }
        if (property.type() == Limit.class) {
            return "Give a number of at least 0, or unlimited.";
        }
        return "Give a value of the type the property expects.";
    }
}

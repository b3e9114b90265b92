package io.taps.properties;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A positive duration or "Disabled", the value type of RFC 9622's timeout properties:
 * {@code connTimeout} (§8.1.3, CP-03), {@code keepAliveTimeout} (§8.1.4, CP-04),
 * {@code msgLifetime} (§9.1.3.1, MP-01, where "infinite" is the default) and
 * {@code tcp.userTimeoutValue} (§8.2.1, TCP-01, where none means "the TCP default").
 *
 * <p>RFC 9622 leaves the unit implementation-specific; taps uses {@link Duration}.
 * {@link #parse(String)} accepts {@code disabled}, {@code none}, {@code infinite}, ISO-8601
 * ({@code PT5S}) and the short forms {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h} (also
 * {@code ns}, {@code us}, {@code d}); {@link #toString()} prints a form it parses back.
 */
public final class Timeout {
    /** No timeout: Disabled, infinite, or the protocol's own default, depending on the property. */
    public static final Timeout NONE = new Timeout(null);

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ns|us|ms|s|m|h|d)");

    private final Duration duration;

    private Timeout(Duration duration) {
        this.duration = duration;
    }

    /** A timeout of the given strictly positive duration; RFC 9622 allows only values > 0. */
    public static Timeout of(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("a timeout must be greater than zero, got " + duration);
        }
        return new Timeout(duration);
    }

    /** Parses a timeout; malformed text is an {@link ErrorReason#INVALID_PROPERTY}. */
    public static Timeout parse(String text) {
        if (text == null) {
            throw invalid(null, null);
        }
        String trimmed = text.trim();
        String word = Words.wordKey(trimmed);
        if (word.equals("disabled") || word.equals("none") || word.equals("infinite")
                || word.equals("infinity")) {
            return NONE;
        }
        Duration d;
        try {
            if (trimmed.regionMatches(true, 0, "P", 0, 1)) {
                d = Duration.parse(trimmed.toUpperCase(Locale.ROOT));
            } else {
                Matcher m = SIMPLE.matcher(trimmed.toLowerCase(Locale.ROOT));
                if (!m.matches()) {
                    throw invalid(text, null);
                }
                long n = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "ns": d = Duration.ofNanos(n); break;
                    case "us": d = Duration.ofNanos(Math.multiplyExact(n, 1000L)); break;
                    case "ms": d = Duration.ofMillis(n); break;
                    case "s": d = Duration.ofSeconds(n); break;
                    case "m": d = Duration.ofMinutes(n); break;
                    case "h": d = Duration.ofHours(n); break;
                    default: d = Duration.ofDays(n); break;
                }
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            throw invalid(text, e);
        }
        if (d.isZero() || d.isNegative()) {
            throw new TransportServicesException(ErrorReason.INVALID_PROPERTY,
                    "'" + text + "' is not a valid timeout: it must be greater than zero (or 'disabled')");
        }
        return new Timeout(d);
    }

    private static TransportServicesException invalid(String text, Throwable cause) {
        return new TransportServicesException(ErrorReason.INVALID_PROPERTY, "'" + text
                + "' is not a timeout; expected 'disabled', an ISO-8601 duration such as PT5S, or 250ms/5s/2m/1h",
                cause);
    }

    /** True when this is {@link #NONE}. */
    public boolean isNone() {
        return duration == null;
    }

    /** The duration; {@link IllegalStateException} when this is {@link #NONE}. */
    public Duration duration() {
        if (duration == null) {
            throw new IllegalStateException("timeout is Disabled");
        }
        return duration;
    }

    /** The duration, or empty for {@link #NONE}. */
    public Optional<Duration> toOptional() {
        return Optional.ofNullable(duration);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Timeout && Objects.equals(duration, ((Timeout) o).duration);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(duration);
    }

    /** "Disabled", or the largest exact short unit ("5s", "250ms"), else ISO-8601. */
    @Override
    public String toString() {
        if (duration == null) {
            return "Disabled";
        }
        long nanos;
        try {
            nanos = duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return duration.toString();
        }
        long[] unitNanos = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L,
            1_000_000L, 1_000L, 1L};
        String[] unitNames = {"d", "h", "m", "s", "ms", "us", "ns"};
        for (int i = 0; i < unitNanos.length; i++) {
            if (nanos % unitNanos[i] == 0) {
                return (nanos / unitNanos[i]) + unitNames[i];
            }
        }
        return duration.toString();
    }
}

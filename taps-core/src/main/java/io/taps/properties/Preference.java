package io.taps.properties;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.util.Locale;

/**
 * The five preference levels of a Selection Property (RFC 9622 §6.2, Table 1; checklist §1.6).
 *
 * <p>{@link #parse(String)} accepts the RFC spelling in any case and with or without separators
 * ({@code "no-preference"}, {@code "NoPreference"}, {@code "NO_PREFERENCE"}), plus the legacy
 * {@code "ignore"} of the earlier drafts.
 */
public enum Preference {
    /** Select only protocols and paths that provide the property; fail otherwise. */
    REQUIRE,
    /** Prefer protocols and paths that provide the property; proceed otherwise. */
    PREFER,
    /** No preference. */
    NO_PREFERENCE,
    /** Prefer protocols and paths that do not provide the property; proceed otherwise. */
    AVOID,
    /** Select only protocols and paths that do not provide the property; fail otherwise. */
    PROHIBIT;

    /** Parses a preference word; a word that names no level is an {@link ErrorReason#INVALID_PROPERTY}. */
    public static Preference parse(String text) {
        String key = text == null ? "" : text.replaceAll("[-_\\s]", "").toLowerCase(Locale.ROOT);
        switch (key) {
            case "require":
                return REQUIRE;
            case "prefer":
                return PREFER;
            case "nopreference":
            case "ignore":
            case "default":
                return NO_PREFERENCE;
            case "avoid":
                return AVOID;
            case "prohibit":
                return PROHIBIT;
            default:
                throw new TransportServicesException(ErrorReason.INVALID_PROPERTY,
                        "'" + text + "' is not a preference; expected one of require, prefer, no-preference, avoid, prohibit");
        }
    }

    /** True for {@link #REQUIRE} and {@link #PROHIBIT}, the levels that filter rather than rank. */
    public boolean isHard() {
        return this == REQUIRE || this == PROHIBIT;
    }
}

package io.taps.properties;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;

/**
 * A non-negative count or "Unlimited": the value type of the rate limits (RFC 9622 §8.1.8, CP-08),
 * {@code groupConnLimit} (§8.1.9, CP-09) and the message-size read-only properties (§8.1.11.4–6,
 * RO-04..RO-06, where unlimited also stands for "Not applicable").
 */
public final class Limit {
    /** No limit (also "Not applicable" for {@code singularTransmissionMsgMaxLen}). */
    public static final Limit UNLIMITED = new Limit(-1);

    private final long value;

    private Limit(long value) {
        this.value = value;
    }

    /** A limit of {@code value}, which must be ≥ 0. */
    public static Limit of(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("a limit must be >= 0, got " + value);
        }
        return new Limit(value);
    }

    /**
     * Parses {@code unlimited}, {@code not-applicable} or a decimal number; anything else is an
     * {@link ErrorReason#INVALID_PROPERTY}.
     */
    public static Limit parse(String text) {
        if (text != null) {
            String key = Words.wordKey(text);
            if (key.equals("unlimited") || key.equals("notapplicable") || key.equals("infinite")) {
                return UNLIMITED;
            }
            String digits = text.trim().replace("_", "");
            if (!digits.isEmpty() && digits.chars().allMatch(Character::isDigit)) {
                try {
                    return new Limit(Long.parseLong(digits));
                } catch (NumberFormatException tooBig) {
                    // falls through to the common error
                }
            }
        }
        throw new TransportServicesException(ErrorReason.INVALID_PROPERTY,
                "'" + text + "' is not a limit; expected 'unlimited', 'not-applicable' or a number >= 0");
    }

    /** True for {@link #UNLIMITED}. */
    public boolean isUnlimited() {
        return value < 0;
    }

    /** The limit; {@link IllegalStateException} when unlimited. */
    public long value() {
        if (value < 0) {
            throw new IllegalStateException("limit is Unlimited");
        }
        return value;
    }

    /** True when {@code amount} does not exceed this limit. */
    public boolean allows(long amount) {
        return value < 0 || amount <= value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Limit && ((Limit) o).value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        return value < 0 ? "Unlimited" : Long.toString(value);
    }
}

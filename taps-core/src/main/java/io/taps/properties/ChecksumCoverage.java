package io.taps.properties;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;

/**
 * "Full Coverage" or a number of covered bytes from the start of a Message: the value type of
 * {@code recvChecksumLen} (RFC 9622 §8.1.1, CP-01) and {@code msgChecksumLen} (§9.1.3.6, MP-06).
 * Only UDP-Lite honours partial coverage; every other stack always checksums everything.
 */
public final class ChecksumCoverage {
    /** The whole Message is covered. */
    public static final ChecksumCoverage FULL = new ChecksumCoverage(-1);

    private final int bytes;

    private ChecksumCoverage(int bytes) {
        this.bytes = bytes;
    }

    /** Coverage of the first {@code bytes} bytes; 0 allows a zero (absent) checksum. */
    public static ChecksumCoverage bytes(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("checksum coverage must be >= 0 bytes, got " + bytes);
        }
        return new ChecksumCoverage(bytes);
    }

    /** Parses {@code full}, {@code full-coverage} or a byte count; anything else is INVALID_PROPERTY. */
    public static ChecksumCoverage parse(String text) {
        if (text != null) {
            String key = Words.wordKey(text);
            if (key.equals("full") || key.equals("fullcoverage")) {
                return FULL;
            }
            String digits = text.trim();
            if (!digits.isEmpty() && digits.chars().allMatch(Character::isDigit)) {
                try {
                    return new ChecksumCoverage(Integer.parseInt(digits));
                } catch (NumberFormatException tooBig) {
                    // falls through to the common error
                }
            }
        }
        throw new TransportServicesException(ErrorReason.INVALID_PROPERTY,
                "'" + text + "' is not a checksum coverage; expected 'full-coverage' or a byte count >= 0");
    }

    /** True for {@link #FULL}. */
    public boolean isFull() {
        return bytes < 0;
    }

    /** The covered byte count; {@link IllegalStateException} for {@link #FULL}. */
    public int coveredBytes() {
        if (bytes < 0) {
            throw new IllegalStateException("checksum coverage is Full Coverage");
        }
        return bytes;
    }

    /** True when a Message of {@code length} bytes is entirely covered. */
    public boolean covers(int length) {
        return bytes < 0 || length <= bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChecksumCoverage && ((ChecksumCoverage) o).bytes == bytes;
    }

    @Override
    public int hashCode() {
        return bytes;
    }

    @Override
    public String toString() {
        return bytes < 0 ? "Full Coverage" : Integer.toString(bytes);
    }
}

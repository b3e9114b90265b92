package io.taps.spring.boot.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;

/**
 * Options of one built-in Message Framer (RFC 9622 §9.1.2.1, RFC 9623 §6), named under
 * {@code taps.framers.<name>}. An option the framer's type does not have fails start-up.
 */
public class TapsFramerSettings {

    /** The built-in framer type; defaults to the framer's name when that is length-prefix, line or tlv. */
    private @Nullable FramerType type;

    /** Bytes of the length field of length-prefix and tlv framers: 1, 2, 4 or 8. Defaults to 4. */
    private @Nullable Integer lengthSize;

    /** Bytes of the type field of tlv framers: 1, 2, 4 or 8. Defaults to 2. */
    private @Nullable Integer typeSize;

    /** Byte order of the length and type fields of length-prefix and tlv framers. Defaults to big-endian. */
    private @Nullable FramerByteOrder byteOrder;

    /**
     * Delimiter of line framers: lf, crlf, cr, nul, or text with \r, \n, \t, \0 and \xHH
     * escapes (UTF-8). Defaults to lf.
     */
    private @Nullable String delimiter;

    /** Whether a line framer also strips a carriage return before a line-feed delimiter. Defaults to false. */
    private @Nullable Boolean crlfTolerant;

    /** Whether a line framer delivers each message with its delimiter. Defaults to false. */
    private @Nullable Boolean keepDelimiter;

    /**
     * Largest message sent or accepted; a larger one fails with MessageTooLarge. A bare number
     * is bytes. Defaults to 64KB for line framers, 64MB for length-prefix and tlv framers.
     */
    private @Nullable DataSize maxMessageSize;

    public @Nullable FramerType getType() {
        return this.type;
    }

    public void setType(@Nullable FramerType type) {
        this.type = type;
    }

    public @Nullable Integer getLengthSize() {
        return this.lengthSize;
    }

    public void setLengthSize(@Nullable Integer lengthSize) {
        this.lengthSize = lengthSize;
    }

    public @Nullable Integer getTypeSize() {
        return this.typeSize;
    }

    public void setTypeSize(@Nullable Integer typeSize) {
        this.typeSize = typeSize;
    }

    public @Nullable FramerByteOrder getByteOrder() {
        return this.byteOrder;
    }

    public void setByteOrder(@Nullable FramerByteOrder byteOrder) {
        this.byteOrder = byteOrder;
    }

    public @Nullable String getDelimiter() {
        return this.delimiter;
    }

    public void setDelimiter(@Nullable String delimiter) {
        this.delimiter = delimiter;
    }

    public @Nullable Boolean getCrlfTolerant() {
        return this.crlfTolerant;
    }

    public void setCrlfTolerant(@Nullable Boolean crlfTolerant) {
        this.crlfTolerant = crlfTolerant;
    }

    public @Nullable Boolean getKeepDelimiter() {
        return this.keepDelimiter;
    }

    public void setKeepDelimiter(@Nullable Boolean keepDelimiter) {
        this.keepDelimiter = keepDelimiter;
    }

    public @Nullable DataSize getMaxMessageSize() {
        return this.maxMessageSize;
    }

    public void setMaxMessageSize(@Nullable DataSize maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    /** The built-in Message Framers (RFC 9623 §6). */
    public enum FramerType {
        /** An unsigned length field before each message (io.taps.framer.lengthprefix). */
        LENGTH_PREFIX,
        /** Messages end with a delimiter, by default a line feed (io.taps.framer.delimiter). */
        LINE,
        /** A type field and a length field before each message (io.taps.framer.tlv). */
        TLV
    }

    /** Byte order of framer header fields. */
    public enum FramerByteOrder {
        /** Network byte order. */
        BIG_ENDIAN,
        /** Least significant byte first. */
        LITTLE_ENDIAN
    }
}

package io.taps.spring.convert;

import io.taps.Message;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;

/**
 * A Message's payload could not be read as the type a handler or client asked for, or a value
 * could not be written as a Message. For a failed read, {@link #getRawMessage()} is the Message as
 * it arrived, so an error handler can log or answer it.
 */
public class TapsMessageConversionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient @Nullable Message rawMessage;

    private final transient @Nullable ResolvableType targetType;

    /** A failed read of {@code rawMessage} as {@code targetType}. */
    public TapsMessageConversionException(String message, @Nullable Message rawMessage,
            @Nullable ResolvableType targetType, @Nullable Throwable cause) {
        super(message, cause);
        this.rawMessage = rawMessage;
        this.targetType = targetType;
    }

    /** A failed write. */
    public TapsMessageConversionException(String message, @Nullable Throwable cause) {
        this(message, null, null, cause);
    }

    /** The Message that could not be read; null for a failed write. */
    public @Nullable Message getRawMessage() {
        return this.rawMessage;
    }

    /** The type the Message was to be read as; null for a failed write. */
    public @Nullable ResolvableType getTargetType() {
        return this.targetType;
    }
}

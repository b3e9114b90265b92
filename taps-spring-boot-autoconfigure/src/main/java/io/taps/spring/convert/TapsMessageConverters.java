package io.taps.spring.convert;

import io.taps.Message;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;
import org.springframework.util.MimeType;

/**
 * The ordered list of {@link TapsMessageConverter}s that listeners and clients share: the first
 * converter that can read (or write) a type in a content type does it. Auto-configuration builds it
 * from the application's converter beans followed by the built-in ones; a {@link Message} is never
 * converted, it passes as it is.
 */
public final class TapsMessageConverters {
    private final List<TapsMessageConverter> converters;

    /** The converters in the order they are asked. */
    public TapsMessageConverters(List<? extends TapsMessageConverter> converters) {
        this.converters = List.copyOf(converters);
    }

    /** The converters in the order they are asked. */
    public List<TapsMessageConverter> getConverters() {
        return this.converters;
    }

    /**
     * The converter that would read {@code targetType} in {@code contentType}, to check a handler's
     * parameter when it is registered rather than at its first Message.
     */
    public Optional<TapsMessageConverter> readerFor(ResolvableType targetType, @Nullable MimeType contentType) {
        for (TapsMessageConverter converter : this.converters) {
            if (converter.canRead(targetType, contentType)) {
                return Optional.of(converter);
            }
        }
        return Optional.empty();
    }

    /** The converter that would write a {@code valueType} in {@code contentType}. */
    public Optional<TapsMessageConverter> writerFor(Class<?> valueType, @Nullable MimeType contentType) {
        for (TapsMessageConverter converter : this.converters) {
            if (converter.canWrite(valueType, contentType)) {
                return Optional.of(converter);
            }
        }
        return Optional.empty();
    }

    /**
     * The payload of {@code message} as {@code targetType}; {@code message} itself when the target
     * is {@link Message}.
     * @throws TapsMessageConversionException when no converter reads the type or the bytes are invalid
     */
    public @Nullable Object read(Message message, ResolvableType targetType, @Nullable MimeType contentType) {
        if (targetType.resolve() == Message.class) {
            return message;
        }
        TapsMessageConverter converter = readerFor(targetType, contentType)
                .orElseThrow(() -> new TapsMessageConversionException("no TapsMessageConverter reads " + targetType
                        + describe(contentType), message, targetType, null));
        try {
            return converter.read(message, targetType, contentType);
        }
        catch (TapsMessageConversionException ex) {
            throw ex;
        }
        catch (RuntimeException ex) {
            throw new TapsMessageConversionException(converter + " failed to read " + targetType + ": " + ex,
                    message, targetType, ex);
        }
    }

    /** The payload of {@code message} as a {@code targetType}. */
    public <T> @Nullable T read(Message message, Class<T> targetType, @Nullable MimeType contentType) {
        return targetType.cast(read(message, ResolvableType.forClass(targetType), contentType));
    }

    /**
     * {@code value} as a complete Message with a fresh context; a {@link Message} is returned as it
     * is unless it carries a received context (a peer's), which a reply must not reuse.
     * @throws TapsMessageConversionException when no converter writes the type or encoding fails
     */
    public Message write(Object value, @Nullable MimeType contentType) {
        if (value instanceof Message message) {
            return message.context().remoteEndpoint().isPresent() ? Message.wrap(message.bytes()) : message;
        }
        TapsMessageConverter converter = writerFor(value.getClass(), contentType)
                .orElseThrow(() -> new TapsMessageConversionException("no TapsMessageConverter writes a "
                        + value.getClass().getName() + describe(contentType), null));
        try {
            return converter.write(value, contentType);
        }
        catch (TapsMessageConversionException ex) {
            throw ex;
        }
        catch (RuntimeException ex) {
            throw new TapsMessageConversionException(converter + " failed to write a " + value.getClass().getName()
                    + ": " + ex, ex);
        }
    }

    private static String describe(@Nullable MimeType contentType) {
        return contentType == null ? "" : " as " + contentType;
    }

    @Override
    public String toString() {
        return "TapsMessageConverters" + this.converters;
    }
}

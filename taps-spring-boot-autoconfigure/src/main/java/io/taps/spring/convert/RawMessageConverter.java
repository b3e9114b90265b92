package io.taps.spring.convert;

import io.taps.Message;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;
import org.springframework.util.MimeType;

/**
 * The built-in converters for payloads taken as they are: {@code byte[]}, {@link ByteBuffer}
 * (read-only view) and {@link String}. They serve these types whatever content type a listener or
 * client names, as raw access: a handler that takes the JSON text as a {@code String} gets it.
 * Strings are decoded and encoded with the content type's {@code charset} parameter when it has
 * one, else with the configured charset ({@code taps.conversion.charset}, UTF-8 by default).
 */
public final class RawMessageConverter implements TapsMessageConverter {
    private static final List<MimeType> ALL = List.of(MimeType.valueOf("*/*"));

    private final Class<?> type;

    private final Charset charset;

    private RawMessageConverter(Class<?> type, Charset charset) {
        this.type = type;
        this.charset = charset;
    }

    /** The converter for {@code byte[]} (a copy of the Message's bytes). */
    public static RawMessageConverter byteArray() {
        return new RawMessageConverter(byte[].class, Charset.defaultCharset());
    }

    /** The converter for {@link ByteBuffer} (reads a read-only view; writes the remaining bytes). */
    public static RawMessageConverter byteBuffer() {
        return new RawMessageConverter(ByteBuffer.class, Charset.defaultCharset());
    }

    /** The converter for {@link String} with {@code charset} unless the content type names another. */
    public static RawMessageConverter string(Charset charset) {
        return new RawMessageConverter(String.class, Objects.requireNonNull(charset, "charset"));
    }

    @Override
    public List<MimeType> supportedContentTypes() {
        return ALL;
    }

    @Override
    public boolean canRead(ResolvableType targetType, @Nullable MimeType contentType) {
        return targetType.resolve() == this.type;
    }

    @Override
    public boolean canWrite(Class<?> valueType, @Nullable MimeType contentType) {
        return this.type.isAssignableFrom(valueType);
    }

    @Override
    public Object read(Message message, ResolvableType targetType, @Nullable MimeType contentType) {
        if (this.type == byte[].class) {
            return message.bytes();
        }
        if (this.type == ByteBuffer.class) {
            return message.asByteBuffer();
        }
        return message.asString(charsetOf(contentType));
    }

    @Override
    public Message write(Object value, @Nullable MimeType contentType) {
        if (value instanceof byte[] bytes) {
            return Message.of(bytes);
        }
        if (value instanceof ByteBuffer buffer) {
            return Message.of(buffer);
        }
        if (value instanceof String text) {
            return Message.wrap(text.getBytes(charsetOf(contentType)));
        }
        throw new TapsMessageConversionException("cannot write a " + value.getClass().getName() + " as "
                + this.type.getSimpleName(), null);
    }

    private Charset charsetOf(@Nullable MimeType contentType) {
        Charset named = contentType == null ? null : contentType.getCharset();
        return named != null ? named : this.charset;
    }

    @Override
    public String toString() {
        return "RawMessageConverter[" + this.type.getSimpleName() + "]";
    }
}

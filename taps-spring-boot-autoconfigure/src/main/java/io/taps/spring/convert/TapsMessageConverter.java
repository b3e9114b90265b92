package io.taps.spring.convert;

import io.taps.Message;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;
import org.springframework.util.MimeType;

/**
 * Converts between the bytes of a taps {@link Message} (RFC 9622 §9.1, a Message is an opaque
 * sequence of bytes to the transport) and the Java objects that {@code @TapsListener} methods and
 * taps clients take and return: the application's side of the message boundary.
 *
 * <p>Converters are asked in order (see {@link TapsMessageConverters}): the converter beans of the
 * application first, in their {@link org.springframework.core.annotation.Order @Order}, then the
 * built-in ones for {@code byte[]}, {@link java.nio.ByteBuffer}, {@link String} and, when Jackson
 * is on the class path, JSON. A content type of {@code null} means that the listener or client did
 * not name one: a converter then decides by the Java type alone.
 *
 * <p>Implementations must be thread-safe: one instance serves every Connection.
 */
public interface TapsMessageConverter {

    /** The content types this converter reads and writes, most specific first. */
    List<MimeType> supportedContentTypes();

    /** Whether {@link #read} can produce a {@code targetType} from a Message of {@code contentType}. */
    boolean canRead(ResolvableType targetType, @Nullable MimeType contentType);

    /** Whether {@link #write} can turn a {@code valueType} into a Message of {@code contentType}. */
    boolean canWrite(Class<?> valueType, @Nullable MimeType contentType);

    /**
     * The payload of {@code message} as a {@code targetType}.
     * @throws TapsMessageConversionException when the bytes are not a valid {@code targetType}
     */
    @Nullable Object read(Message message, ResolvableType targetType, @Nullable MimeType contentType);

    /**
     * A complete Message carrying {@code value} (with a fresh default context).
     * @throws TapsMessageConversionException when {@code value} cannot be encoded
     */
    Message write(Object value, @Nullable MimeType contentType);

    /** Whether {@code contentType} is null or compatible with one of {@link #supportedContentTypes()}. */
    default boolean supports(@Nullable MimeType contentType) {
        if (contentType == null) {
            return true;
        }
        for (MimeType supported : supportedContentTypes()) {
            if (supported.isCompatibleWith(contentType)) {
                return true;
            }
        }
        return false;
    }
}

package io.taps.spring.convert;

import io.taps.Message;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;
import org.springframework.util.MimeType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.util.ByteBufferBackedInputStream;

/**
 * JSON payloads through a Jackson {@link JsonMapper}: the one Spring Boot configures
 * ({@code spring.jackson.*}) when the application has it, so taps Messages read and write records
 * and POJOs exactly as the application's HTTP endpoints do. Serves {@code application/json} and
 * {@code application/*+json}, and any type when no content type is named; it comes after the raw
 * converters, so {@code byte[]}, {@code ByteBuffer} and {@code String} are never JSON-encoded.
 */
public final class JacksonJsonMessageConverter implements TapsMessageConverter {
    /** {@code application/json}. */
    public static final MimeType APPLICATION_JSON = MimeType.valueOf("application/json");

    private static final List<MimeType> SUPPORTED = List.of(APPLICATION_JSON, MimeType.valueOf("application/*+json"));

    private final JsonMapper mapper;

    /** A converter with {@code mapper}. */
    public JacksonJsonMessageConverter(JsonMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public List<MimeType> supportedContentTypes() {
        return SUPPORTED;
    }

    @Override
    public boolean canRead(ResolvableType targetType, @Nullable MimeType contentType) {
        return supports(contentType) && targetType.resolve() != null;
    }

    @Override
    public boolean canWrite(Class<?> valueType, @Nullable MimeType contentType) {
        return supports(contentType);
    }

    @Override
    public @Nullable Object read(Message message, ResolvableType targetType, @Nullable MimeType contentType) {
        JavaType javaType = this.mapper.constructType(targetType.getType());
        try {
            return this.mapper.readValue(new ByteBufferBackedInputStream(message.asByteBuffer()), javaType);
        }
        catch (JacksonException ex) {
            throw new TapsMessageConversionException("the Message is not valid JSON for " + targetType + ": "
                    + ex.getOriginalMessage(), message, targetType, ex);
        }
    }

    @Override
    public Message write(Object value, @Nullable MimeType contentType) {
        try {
            return Message.wrap(this.mapper.writeValueAsBytes(value));
        }
        catch (JacksonException ex) {
            throw new TapsMessageConversionException("cannot write a " + value.getClass().getName() + " as JSON: "
                    + ex.getOriginalMessage(), ex);
        }
    }

    @Override
    public String toString() {
        return "JacksonJsonMessageConverter";
    }
}

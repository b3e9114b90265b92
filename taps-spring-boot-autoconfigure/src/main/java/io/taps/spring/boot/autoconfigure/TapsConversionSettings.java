package io.taps.spring.boot.autoconfigure;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * {@code taps.conversion.*}: how listener methods and clients turn Messages into Java objects and
 * back (see {@link io.taps.spring.convert.TapsMessageConverter}).
 */
public class TapsConversionSettings {

    /** Charset of String payloads when the content type names none. */
    private Charset charset = StandardCharsets.UTF_8;

    public Charset getCharset() {
        return this.charset;
    }

    public void setCharset(Charset charset) {
        this.charset = charset;
    }
}

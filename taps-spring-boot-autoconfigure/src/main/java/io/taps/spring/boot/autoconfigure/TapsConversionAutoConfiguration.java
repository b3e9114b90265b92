package io.taps.spring.boot.autoconfigure;

import io.taps.spring.convert.JacksonJsonMessageConverter;
import io.taps.spring.convert.RawMessageConverter;
import io.taps.spring.convert.TapsMessageConverter;
import io.taps.spring.convert.TapsMessageConverters;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the
 * {@link TapsMessageConverters} that {@code @TapsListener} methods and taps clients share: every
 * {@link TapsMessageConverter} bean of the application in {@code @Order}, then the built-in
 * converters for {@code byte[]}, {@code ByteBuffer} and {@code String} ({@code taps.conversion.charset}),
 * then JSON through Boot's Jackson {@link JsonMapper} when Jackson is on the class path.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@ConditionalOnClass(TapsMessageConverters.class)
@EnableConfigurationProperties(TapsProperties.class)
public final class TapsConversionAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TapsMessageConverters tapsMessageConverters(ObjectProvider<TapsMessageConverter> converters,
            TapsProperties properties) {
        List<TapsMessageConverter> ordered = new ArrayList<>();
        List<TapsMessageConverter> json = new ArrayList<>();
        converters.orderedStream().forEach(converter -> {
            // JSON takes any type, so it goes after the raw converters wherever its bean was ordered.
            if (converter instanceof JacksonJsonMessageConverter) {
                json.add(converter);
            }
            else {
                ordered.add(converter);
            }
        });
        ordered.add(RawMessageConverter.byteArray());
        ordered.add(RawMessageConverter.byteBuffer());
        ordered.add(RawMessageConverter.string(properties.getConversion().getCharset()));
        ordered.addAll(json);
        return new TapsMessageConverters(ordered);
    }

    /** JSON payloads with the application's {@link JsonMapper}, or Jackson's defaults when it defines none. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(JsonMapper.class)
    static final class JsonConverterConfiguration {

        @Bean
        @ConditionalOnMissingBean
        JacksonJsonMessageConverter tapsJsonMessageConverter(ObjectProvider<JsonMapper> mapper) {
            return new JacksonJsonMessageConverter(mapper.getIfAvailable(() -> JsonMapper.builder().build()));
        }
    }
}

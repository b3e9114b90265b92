package io.taps.spring.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.Message;
import io.taps.spring.boot.autoconfigure.TapsConversionAutoConfiguration;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.ResolvableType;
import org.springframework.util.MimeType;
import tools.jackson.databind.json.JsonMapper;

class TapsMessageConvertersTests {
    record Point(int xValue, int yValue) {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(JacksonAutoConfiguration.class, TapsConversionAutoConfiguration.class));

    @Test
    void rawTypesComeFirstAndJsonLast() {
        this.runner.run(context -> {
            List<TapsMessageConverter> converters = context.getBean(TapsMessageConverters.class).getConverters();
            assertThat(converters).map(Object::toString).containsExactly("RawMessageConverter[byte[]]",
                    "RawMessageConverter[ByteBuffer]", "RawMessageConverter[String]", "JacksonJsonMessageConverter");
        });
    }

    @Test
    void recordsRoundTripThroughTheJsonMapperBootConfigures() {
        this.runner.withPropertyValues("spring.jackson.property-naming-strategy=SNAKE_CASE").run(context -> {
            TapsMessageConverters converters = context.getBean(TapsMessageConverters.class);
            Message written = converters.write(new Point(3, 4), null);
            assertThat(written.asString()).isEqualTo("{\"x_value\":3,\"y_value\":4}");
            assertThat(converters.read(written, Point.class, JacksonJsonMessageConverter.APPLICATION_JSON))
                    .isEqualTo(new Point(3, 4));
        });
    }

    @Test
    void genericTargetTypesAreRead() {
        this.runner.run(context -> {
            TapsMessageConverters converters = context.getBean(TapsMessageConverters.class);
            ResolvableType listOfPoints = ResolvableType.forType(new ParameterizedTypeReference<List<Point>>() {
            });
            Object read = converters.read(Message.of("[{\"xValue\":1,\"yValue\":2}]"), listOfPoints, null);
            assertThat(read).isEqualTo(List.of(new Point(1, 2)));
        });
    }

    @Test
    void invalidJsonIsATypedErrorCarryingTheRawMessage() {
        this.runner.run(context -> {
            TapsMessageConverters converters = context.getBean(TapsMessageConverters.class);
            Message garbage = Message.of("{not json");
            assertThatThrownBy(() -> converters.read(garbage, Point.class, null))
                    .isInstanceOfSatisfying(TapsMessageConversionException.class, ex -> {
                        assertThat(ex.getRawMessage()).isSameAs(garbage);
                        assertThat(ex.getTargetType().resolve()).isEqualTo(Point.class);
                    });
        });
    }

    @Test
    void rawTypesAreNeverJsonEncodedWhateverTheContentType() {
        this.runner.run(context -> {
            TapsMessageConverters converters = context.getBean(TapsMessageConverters.class);
            MimeType json = JacksonJsonMessageConverter.APPLICATION_JSON;
            assertThat(converters.write("{\"a\":1}", json).asString()).isEqualTo("{\"a\":1}");
            assertThat(converters.write(new byte[] { 1, 2 }, json).bytes()).containsExactly(1, 2);
            assertThat(converters.read(Message.of("{\"a\":1}"), String.class, json)).isEqualTo("{\"a\":1}");
            ByteBuffer buffer = converters.read(Message.of("ab"), ByteBuffer.class, null);
            assertThat(buffer.isReadOnly()).isTrue();
            assertThat(buffer.remaining()).isEqualTo(2);
        });
    }

    @Test
    void stringsUseTheConfiguredCharsetUnlessTheContentTypeNamesOne() {
        this.runner.withPropertyValues("taps.conversion.charset=ISO-8859-1").run(context -> {
            TapsMessageConverters converters = context.getBean(TapsMessageConverters.class);
            assertThat(converters.write("é", null).bytes()).containsExactly((byte) 0xE9);
            assertThat(converters.write("é", MimeType.valueOf("text/plain;charset=UTF-8")).bytes())
                    .containsExactly("é".getBytes(StandardCharsets.UTF_8));
            assertThat(converters.read(Message.of(new byte[] { (byte) 0xE9 }), String.class, null)).isEqualTo("é");
        });
    }

    @Test
    void anApplicationConverterWinsOverTheBuiltInOnes() {
        this.runner.withUserConfiguration(ShoutingStrings.class).run(context -> {
            TapsMessageConverters converters = context.getBean(TapsMessageConverters.class);
            assertThat(converters.getConverters().get(0)).isInstanceOf(ShoutingStringConverter.class);
            assertThat(converters.write("hi", null).asString()).isEqualTo("HI");
        });
    }

    @Test
    void anApplicationJsonMapperBeanIsUsed() {
        this.runner.withUserConfiguration(CustomMapper.class).run(context -> {
            JacksonJsonMessageConverter json = context.getBean(JacksonJsonMessageConverter.class);
            assertThat(json.write(new Point(1, 2), null).asString()).isEqualTo("{\"x_value\":1,\"y_value\":2}");
        });
    }

    @Test
    void withoutJacksonObjectsAreATypedErrorNotAGuess() {
        this.runner.withClassLoader(new FilteredClassLoader(JsonMapper.class)).run(context -> {
            TapsMessageConverters converters = context.getBean(TapsMessageConverters.class);
            assertThat(converters.getConverters()).hasSize(3);
            assertThatThrownBy(() -> converters.write(new Point(1, 2), null))
                    .isInstanceOf(TapsMessageConversionException.class).hasMessageContaining(Point.class.getName());
            assertThatThrownBy(() -> converters.read(Message.of("{}"), Point.class, null))
                    .isInstanceOf(TapsMessageConversionException.class).hasMessageContaining("no TapsMessageConverter");
        });
    }

    @Test
    void aReceivedMessageIsNotSentBackWithThePeersContext() {
        TapsMessageConverters converters = new TapsMessageConverters(List.of());
        Message fresh = Message.of("x");
        assertThat(converters.write(fresh, null)).isSameAs(fresh);
    }

    @Configuration(proxyBeanMethods = false)
    static class ShoutingStrings {
        @Bean
        ShoutingStringConverter shoutingStringConverter() {
            return new ShoutingStringConverter();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomMapper {
        @Bean
        JsonMapper customJsonMapper() {
            return JsonMapper.builder().propertyNamingStrategy(tools.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
                    .build();
        }
    }

    static final class ShoutingStringConverter implements TapsMessageConverter {
        @Override
        public List<MimeType> supportedContentTypes() {
            return List.of(MimeType.valueOf("text/plain"));
        }

        @Override
        public boolean canRead(ResolvableType targetType, @Nullable MimeType contentType) {
            return targetType.resolve() == String.class;
        }

        @Override
        public boolean canWrite(Class<?> valueType, @Nullable MimeType contentType) {
            return valueType == String.class;
        }

        @Override
        public Object read(Message message, ResolvableType targetType, @Nullable MimeType contentType) {
            return message.asString().toUpperCase(java.util.Locale.ROOT);
        }

        @Override
        public Message write(Object value, @Nullable MimeType contentType) {
            return Message.of(((String) value).toUpperCase(java.util.Locale.ROOT));
        }
    }
}

package io.taps.spring.boot.test.autoconfigure;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Under {@code @SpringBootTest(webEnvironment = RANDOM_PORT)} binds every taps Listener (RFC 9622
 * §7.2) to an ephemeral port too, by setting {@code taps.listener.port-override=0} with the
 * lowest precedence: any value the test or the application sets wins. Registered in
 * {@code META-INF/spring.factories}; read the ports with {@code @LocalTapsPort}.
 */
class TapsRandomPortContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public @Nullable ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        SpringBootTest springBootTest = TestContextAnnotationUtils.findMergedAnnotation(testClass, SpringBootTest.class);
        return springBootTest != null && springBootTest.webEnvironment() == WebEnvironment.RANDOM_PORT
                ? new EphemeralListenerPorts() : null;
    }

    /** Equal to every other instance, so that test contexts stay cacheable. */
    record EphemeralListenerPorts() implements ContextCustomizer {
        static final String PROPERTY_SOURCE = "tapsRandomListenerPorts";

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
            context.getEnvironment().getPropertySources()
                .addLast(new MapPropertySource(PROPERTY_SOURCE, Map.of("taps.listener.port-override", "0")));
        }
    }
}

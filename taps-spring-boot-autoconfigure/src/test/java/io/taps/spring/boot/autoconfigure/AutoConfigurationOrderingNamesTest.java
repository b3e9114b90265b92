package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.spring.boot.autoconfigure.actuate.TapsEndpointAutoConfiguration;
import io.taps.spring.boot.autoconfigure.actuate.TapsHealthContributorAutoConfiguration;
import io.taps.spring.boot.autoconfigure.metrics.TapsMetricsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.observation.TapsObservationAutoConfiguration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfiguration;

/**
 * Ordering by name ({@code afterName}/{@code beforeName}) is silently ignored when the name is
 * stale (Boot 4 moved the metrics, observation and health auto-configurations): every name must
 * be a class that exists with the Boot version we build against.
 */
class AutoConfigurationOrderingNamesTest {

    @Test
    void everyOrderingNameOfTheInstrumentationAutoConfigurationsIsARealClass() throws Exception {
        List<String> names = new ArrayList<>();
        for (Class<?> configuration : List.of(TapsMetricsAutoConfiguration.class,
                TapsObservationAutoConfiguration.class, TapsEndpointAutoConfiguration.class,
                TapsHealthContributorAutoConfiguration.class, TapsAutoConfiguration.class,
                TapsListenerAutoConfiguration.class)) {
            AutoConfiguration annotation = configuration.getAnnotation(AutoConfiguration.class);
            names.addAll(List.of(annotation.afterName()));
            names.addAll(List.of(annotation.beforeName()));
        }
        assertThat(names).contains("org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
                "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration");
        for (String name : names) {
            assertThat(Class.forName(name)).as(name).isNotNull();
        }
    }
}

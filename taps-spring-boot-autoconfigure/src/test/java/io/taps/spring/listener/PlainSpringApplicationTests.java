package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.TransportServices;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import io.taps.spring.boot.autoconfigure.actuate.TapsEndpointAutoConfiguration;
import io.taps.spring.boot.autoconfigure.actuate.TapsHealthContributorAutoConfiguration;
import io.taps.spring.boot.autoconfigure.metrics.TapsMetricsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.observation.TapsObservationAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * The starter in a plain Spring application: every taps auto-configuration applied, with neither
 * actuator nor Micrometer on the class path, still serves a {@code @TapsListener}.
 */
class PlainSpringApplicationTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class,
                LifecycleAutoConfiguration.class, SslAutoConfiguration.class, TapsAutoConfiguration.class,
                TapsListenerAutoConfiguration.class, TapsMetricsAutoConfiguration.class,
                TapsObservationAutoConfiguration.class, TapsEndpointAutoConfiguration.class,
                TapsHealthContributorAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1", "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix",
                "management.endpoints.web.exposure.include=*")
        .withUserConfiguration(Echo.class);

    @Test
    void servesAListenerWithoutActuatorAndWithoutMicrometer() {
        this.contextRunner
            .withClassLoader(new FilteredClassLoader("io.micrometer.", "org.springframework.boot.actuate.",
                    "org.springframework.boot.health.", "org.springframework.boot.micrometer."))
            .run(context -> {
                assertThat(context).hasNotFailed().hasSingleBean(TransportServices.class)
                    .doesNotHaveBean("tapsMeterObserver")
                    .doesNotHaveBean("tapsEndpoint")
                    .doesNotHaveBean("tapsHealthIndicator")
                    .doesNotHaveBean("tapsObservationObserver");
                int port = context.getBean(TapsListenerRegistry.class).listener("echo").orElseThrow().port();
                try (RawTestClient client = new RawTestClient()) {
                    Connection connection = client.connect(port);
                    assertThat(RawTestClient.exchange(connection, "plain")).isEqualTo("plain");
                    connection.close();
                }
            });
    }

    @Configuration(proxyBeanMethods = false)
    static class Echo {
        @TapsListener(id = "echo", profile = "framed", host = "127.0.0.1", port = "0")
        String echo(String text) {
            return text;
        }
    }
}

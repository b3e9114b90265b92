package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.TransportServices;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class TapsAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class));

    @Test
    void providesTransportServicesConfiguredFromProperties() {
        runner.withPropertyValues("taps.event-loop-threads=1", "taps.native-transport=false").run(context -> {
            assertThat(context).hasSingleBean(TransportServices.class);
            assertThat(context.getBean(TransportServices.class).ioTransport()).isEqualTo("nio");
        });
    }

    @Test
    void backsOffWhenTheApplicationDefinesItsOwn() {
        runner.withUserConfiguration(OwnTransportServices.class).run(context -> {
            assertThat(context).hasSingleBean(TransportServices.class);
            assertThat(context.getBean(TransportServices.class)).isSameAs(context.getBean("ownTaps"));
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnTransportServices {
        @Bean(destroyMethod = "close")
        TransportServices ownTaps() {
            return TransportServices.builder().eventLoopThreads(1).build();
        }
    }
}

package io.taps.spring.client;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** The application of the client tests: the listeners of {@link ClientTestListeners} a meter registry and an observation registry. */
@SpringBootApplication
class ClientTestApplication {

    @Bean
    MeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }

    @Bean
    TestObservationRegistry observationRegistry() {
        return TestObservationRegistry.create();
    }
}

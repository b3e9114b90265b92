package io.taps.spring.boot.autoconfigure.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.taps.Connection;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.spring.boot.autoconfigure.LoopbackEcho;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsProfiles;
import io.taps.spring.listener.TapsListener;
import io.taps.spring.listener.TapsListenerRegistry;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code taps.listener.message} Observation is the current one while the handler runs (as
 * Spring Kafka's listener observation is), so spans and log correlation made inside a
 * {@code @TapsListener} method belong to it; and no scope is left open on the handler thread.
 */
class ListenerObservationScopeTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class,
                    TapsObservationAutoConfiguration.class))
            .withBean(TestObservationRegistry.class, TestObservationRegistry::create)
            .withUserConfiguration(CurrentObservationListener.class)
            .withPropertyValues("taps.event-loop-threads=1", "taps.listener.execution=platform",
                    "taps.profiles.chat.security.enabled=false",
                    "taps.profiles.chat.framers=length-prefix");

    @Test
    void theMessageObservationIsCurrentInsideTheHandler() {
        runner.run(context -> {
            int port = context.getBean(TapsListenerRegistry.class).listener("chat").orElseThrow().port();
            Connection client = context.getBean(TapsProfiles.class).preconnection("chat")
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", port)).build().initiate();
            for (String text : new String[] { "one", "two" }) {
                LoopbackEcho.await(client.send(text));
                assertThat(new String(LoopbackEcho.await(client.receive()).bytes(), StandardCharsets.UTF_8))
                        .isEqualTo("taps.listener.message");
            }
            client.abort();
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class CurrentObservationListener {
        private final ObservationRegistry registry;

        CurrentObservationListener(ObservationRegistry registry) {
            this.registry = registry;
        }

        /** Replies with the name of the Observation current on the handler thread. */
        @TapsListener(id = "chat", profile = "chat", port = "0", host = "127.0.0.1")
        String onMessage(String text) {
            Observation current = this.registry.getCurrentObservation();
            return current == null ? "none" : current.getContext().getName();
        }
    }
}

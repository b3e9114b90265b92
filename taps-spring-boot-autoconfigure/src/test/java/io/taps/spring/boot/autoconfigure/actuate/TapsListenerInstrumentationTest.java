package io.taps.spring.boot.autoconfigure.actuate;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.taps.Connection;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.spring.boot.autoconfigure.LoopbackEcho;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsProfiles;
import io.taps.spring.boot.autoconfigure.metrics.TapsMetricsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.observation.TapsObservationAutoConfiguration;
import io.taps.spring.listener.TapsListener;
import io.taps.spring.listener.TapsListenerRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * A {@code @TapsListener} seen through every instrument at once: the endpoint and health name it
 * by its id and profile, the meters tag its Connections with its profile, and each handled
 * Message is one {@code taps.listener.message} Observation.
 */
class TapsListenerInstrumentationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class,
                    TapsMetricsAutoConfiguration.class, TapsObservationAutoConfiguration.class,
                    TapsEndpointAutoConfiguration.class, TapsHealthContributorAutoConfiguration.class))
            .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
            .withBean(TestObservationRegistry.class, TestObservationRegistry::create)
            .withUserConfiguration(ChatListener.class)
            .withPropertyValues("taps.event-loop-threads=1", "management.endpoints.web.exposure.include=taps",
                    "taps.profiles.chat.security.enabled=false",
                    "taps.profiles.chat.framers=length-prefix");

    @Test
    void aTapsListenerIsNamedCountedAndObserved() {
        runner.run(context -> {
            int port = context.getBean(TapsListenerRegistry.class).listener("chat").orElseThrow().port();
            Connection client = context.getBean(TapsProfiles.class).preconnection("chat")
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", port)).build().initiate();
            LoopbackEcho.await(client.send("hi"));
            assertThat(new String(LoopbackEcho.await(client.receive()).bytes(), StandardCharsets.UTF_8))
                    .isEqualTo("echo: hi");
            TestObservationRegistry observations = context.getBean(TestObservationRegistry.class);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(observations)
                    .hasObservationWithNameEqualTo("taps.listener.message").that().hasBeenStopped());

            assertThat(observations).hasNumberOfObservationsWithNameEqualTo("taps.listener.message", 1)
                    .hasObservationWithNameEqualTo("taps.listener.message").that()
                    .hasLowCardinalityKeyValue("taps.listener.id", "chat")
                    .hasLowCardinalityKeyValue("taps.profile", "chat")
                    .hasLowCardinalityKeyValue("taps.protocol.stack", "TCP")
                    // The side that handles a request and replies: a server span.
                    .satisfies(observed -> assertThat(observed).isInstanceOfSatisfying(ReceiverContext.class,
                            receiver -> assertThat(receiver.getKind()).isEqualTo(Kind.SERVER)));
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            // The accepted side's traffic carries the listener's id and profile, with the same keys
            // as the Observation; the client's (made from the same profile, accepted by no listener)
            // does not.
            assertThat(meters.get("taps.messages").tags("taps.listener.id", "chat", "taps.profile", "chat",
                    "taps.protocol.stack", "TCP", "taps.role", "listen", "taps.direction", "in").counter().count())
                    .isEqualTo(1.0);
            assertThat(meters.get("taps.bytes").tags("taps.listener.id", "chat", "taps.direction", "out").counter()
                    .count()).isEqualTo(8.0);
            assertThat(meters.get("taps.bytes").tags("taps.listener.id", "none", "taps.role", "initiate",
                    "taps.direction", "out").counter().count()).isEqualTo(2.0);
            assertThat(meters.get("taps.connections").tags("taps.profile", "chat", "taps.listener.id", "chat", "taps.role", "listen").counter().count())
                    .isEqualTo(1.0);
            TapsDescriptor taps = context.getBean(TapsEndpoint.class).taps();
            assertThat(taps.listeners()).singleElement().satisfies(listener -> {
                assertThat(listener.id()).isEqualTo("chat");
                assertThat(listener.profile()).isEqualTo("chat");
                assertThat(listener.port()).isEqualTo(port);
                assertThat(listener.acceptedConnections()).isEqualTo(1);
            });
            assertThat(taps.connections()).filteredOn(c -> "chat".equals(c.listener())).hasSize(1);
            assertThat(context.getBean(TapsHealthIndicator.class).health(true).getStatus()).isEqualTo(Status.UP);
        });
    }

    @Test
    void aListenerLeftStoppedOnPurposeKeepsHealthUpUntilStarted() {
        runner.withPropertyValues("taps.listener.auto-startup=false").run(context -> {
            var health = context.getBean(TapsHealthIndicator.class).health(true);
            // Not started on purpose (auto-startup off): not expected to be bound, so still UP.
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails().get("listeners").toString()).contains("chat").contains("stopped");
            context.getBean(TapsListenerRegistry.class).start("chat");
            assertThat(context.getBean(TapsHealthIndicator.class).health(true).getDetails().get("listeners")
                    .toString()).contains("bound");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class ChatListener {
        @TapsListener(id = "chat", profile = "chat", port = "0", host = "127.0.0.1")
        String onMessage(String text) {
            return "echo: " + text;
        }
    }
}

package io.taps.spring.boot.autoconfigure.observation;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.spring.boot.autoconfigure.LoopbackEcho;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import java.time.Duration;
import org.awaitility.Awaitility;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.SenderContext;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class TapsObservationAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class,
                    TapsObservationAutoConfiguration.class))
            .withPropertyValues("taps.event-loop-threads=1");

    @Test
    void observesAnEstablishmentFromInitiateToReady() {
        runner.withBean(TestObservationRegistry.class, TestObservationRegistry::create).run(context -> {
            TestObservationRegistry observations = context.getBean(TestObservationRegistry.class);
            TransportServices taps = context.getBean(TransportServices.class);
            Listener listener = LoopbackEcho.listen(taps, null);
            String stack = LoopbackEcho.connect(taps, listener, null).protocolStack().orElseThrow();
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(observations)
                    .hasObservationWithNameEqualTo("taps.connection.establish").that().hasBeenStopped());

            assertThat(observations).hasNumberOfObservationsWithNameEqualTo("taps.connection.establish", 1)
                    .hasObservationWithNameEqualTo("taps.connection.establish").that()
                    .hasContextualNameEqualTo("taps establish")
                    .hasLowCardinalityKeyValue("taps.outcome", "success")
                    .hasLowCardinalityKeyValue("taps.profile", "none")
                    .hasLowCardinalityKeyValue("taps.protocol.stack", stack)
                    .hasLowCardinalityKeyValue("taps.attempts", "1")
                    .hasHighCardinalityKeyValue("network.peer.port", Integer.toString(listener.port()))
                    // The initiating side of a connection: a client span, as Micrometer's conventions say.
                    .satisfies(observed -> assertThat(observed).isInstanceOfSatisfying(SenderContext.class,
                            sender -> assertThat(sender.getKind()).isEqualTo(Kind.CLIENT)));
        });
    }

    @Test
    void aConventionBeanRenamesTheObservation() {
        runner.withBean(TestObservationRegistry.class, TestObservationRegistry::create)
                .withBean(EstablishmentObservationConvention.class, () -> new DefaultEstablishmentObservationConvention() {
                    @Override
                    public String getName() {
                        return "custom.establish";
                    }
                })
                .run(context -> {
                    TestObservationRegistry observations = context.getBean(TestObservationRegistry.class);
                    TransportServices taps = context.getBean(TransportServices.class);
                    LoopbackEcho.connect(taps, LoopbackEcho.listen(taps, null), null);
                    Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(observations)
                            .hasObservationWithNameEqualTo("custom.establish").that().hasBeenStopped());
                });
    }

    @Test
    void backsOffWithoutAnObservationRegistry() {
        runner.run(context -> assertThat(context).doesNotHaveBean(TapsObservationObserver.class));
    }

    @Test
    void backsOffWithoutMicrometerObservationOnTheClassPath() {
        runner.withClassLoader(new FilteredClassLoader(ObservationRegistry.class))
                .run(context -> assertThat(context).doesNotHaveBean(TapsObservationObserver.class)
                        .hasSingleBean(TransportServices.class));
    }

    @Test
    void isSwitchedOffByProperty() {
        runner.withBean(TestObservationRegistry.class, TestObservationRegistry::create)
                .withPropertyValues("taps.observations.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(TapsObservationObserver.class));
    }
}

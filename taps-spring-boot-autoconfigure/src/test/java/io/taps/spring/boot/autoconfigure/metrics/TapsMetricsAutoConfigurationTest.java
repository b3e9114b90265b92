package io.taps.spring.boot.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.security.SecurityParameters;
import io.taps.spring.boot.autoconfigure.LoopbackEcho;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class TapsMetricsAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, TapsMetricsAutoConfiguration.class))
            .withPropertyValues("taps.event-loop-threads=1");

    @Test
    void countsConnectionsMessagesBytesAndRacingOfARealLoopbackExchange() {
        runner.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            assertThat(context).hasSingleBean(TapsMeterObserver.class);
            TransportServices taps = context.getBean(TransportServices.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            Listener listener = LoopbackEcho.listen(taps, null);
            Connection client = LoopbackEcho.connect(taps, listener, null);
            String stack = client.protocolStack().orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> active(meters, stack, "listen") == 1.0);
            assertThat(active(meters, stack, "initiate")).isEqualTo(1.0);

            LoopbackEcho.exchange(client, 5, 10, 20);
            client.close();
            LoopbackEcho.await(client.closed());
            await().atMost(Duration.ofSeconds(10)).until(() -> active(meters, stack, "listen") == 0.0);

            assertThat(active(meters, stack, "initiate")).isEqualTo(0.0);
            assertThat(meters.get("taps.connections").tags("taps.profile", "none", "taps.listener.id", "none", "taps.protocol.stack", stack, "taps.role", "initiate")
                    .counter().count()).isEqualTo(1.0);
            assertThat(meters.get("taps.connections").tags("taps.role", "listen").counter().count()).isEqualTo(1.0);
            // Both ends count: 3 echoes of 35 bytes each way. The client's end of stream (an empty
            // final Message) reaches the server but is not a Message: 6 in, as 6 out.
            assertThat(sum(meters, "taps.bytes", "out")).isEqualTo(70.0);
            assertThat(sum(meters, "taps.bytes", "in")).isEqualTo(70.0);
            assertThat(sum(meters, "taps.messages", "out")).isEqualTo(6.0);
            assertThat(sum(meters, "taps.messages", "in")).isEqualTo(6.0);
            // Each side's traffic carries its Connection's identity tags.
            assertThat(meters.get("taps.messages").tags("taps.direction", "in", "taps.role", "listen",
                    "taps.protocol.stack", stack, "taps.profile", "none", "taps.listener.id", "none").counter()
                    .count()).isEqualTo(3.0);
            assertThat(meters.get("taps.bytes").tags("taps.direction", "out", "taps.role", "initiate").counter()
                    .count()).isEqualTo(35.0);
            assertThat(meters.get("taps.establishment").tags("taps.outcome", "success", "taps.protocol.stack", stack, "taps.profile", "none").timer().count())
                    .isEqualTo(1);
            assertThat(meters.get("taps.racing.attempts").tag("taps.outcome", "succeeded").counter().count())
                    .isEqualTo(1.0);
            assertThat(meters.find("taps.errors").counters()).isEmpty();
            // Low cardinality: no meter carries an address or a port.
            meters.getMeters().forEach(meter -> meter.getId().getTags().forEach(tag ->
                    assertThat(tag.getValue()).doesNotContain("127.0.0.1").doesNotContain(
                            Integer.toString(listener.port()))));
        });
    }

    @Test
    void cacheEntriesGaugeFollowsTheCachedState() {
        runner.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(cacheEntries(meters, "performance")).isZero();
            Listener listener = LoopbackEcho.listen(taps, null);
            Connection client = LoopbackEcho.connect(taps, listener, null);
            LoopbackEcho.exchange(client, 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> cacheEntries(meters, "performance") == 1.0);
            assertThat(cacheEntries(meters, "dns")).isEqualTo(taps.cachedState().dnsEntries());
            assertThat(cacheEntries(meters, "tls")).isEqualTo(taps.cachedState().tlsSessions());
            taps.cachedState().clear();
            assertThat(cacheEntries(meters, "performance")).isZero();
        });
    }

    @Test
    void pathChangesAreCountedByStack() {
        // A real PathChange needs an interface change, which only a network namespace allows
        // (taps-core's PathChangeTest shows there that the observer is called); here the observer
        // the TransportServices calls is given the event for a real loopback Connection.
        runner.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            Listener listener = LoopbackEcho.listen(taps, null);
            Connection client = LoopbackEcho.connect(taps, listener, null);
            TapsMeterObserver observer = context.getBean(TapsMeterObserver.class);
            assertThat(meters.find("taps.path.changes").counters()).isEmpty();
            observer.pathChange(client);
            observer.pathChange(client);
            assertThat(meters.get("taps.path.changes").tag("taps.protocol.stack", client.protocolStack().orElseThrow()).counter()
                    .count()).isEqualTo(2.0);
        });
    }

    @Test
    void aRefusedInitiateIsAFailedEstablishmentAndAnError() {
        runner.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            int closedPort;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                closedPort = socket.getLocalPort();
            }
            TransportServices taps = context.getBean(TransportServices.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            Connection client = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofAddress("127.0.0.1", closedPort))
                    .build().initiate();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> meters.find("taps.errors").tag("taps.error.kind", "establishment").counter() != null);
            assertThat(client.ready().toCompletableFuture()).isCompletedExceptionally();

            assertThat(meters.get("taps.establishment").tags("taps.outcome", "failure", "taps.protocol.stack", "none").timer().count())
                    .isEqualTo(1);
            assertThat(meters.get("taps.racing.attempts").tag("taps.outcome", "failed").counter().count()).isEqualTo(1.0);
            assertThat(meters.get("taps.errors").tag("taps.error.kind", "establishment").counter().count()).isEqualTo(1.0);
            assertThat(meters.find("taps.connections").counters()).isEmpty();
        });
    }

    @Test
    void profilesComeFromAConnectionProfilesBean() {
        runner.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(ConnectionProfiles.class, () -> (connection, listener) -> listener == null ? "client"
                        : "echo")
                .run(context -> {
                    TransportServices taps = context.getBean(TransportServices.class);
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    Listener listener = LoopbackEcho.listen(taps, null);
                    LoopbackEcho.connect(taps, listener, null);
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> meters.find("taps.connections").tag("taps.profile", "echo").counter() != null);
                    assertThat(meters.get("taps.connections").tags("taps.profile", "client", "taps.role", "initiate").counter()
                            .count()).isEqualTo(1.0);
                });
    }

    @Test
    void backsOffWithoutAMeterRegistry() {
        runner.run(context -> assertThat(context).doesNotHaveBean(TapsMeterObserver.class)
                .hasSingleBean(TransportServices.class));
    }

    @Test
    void backsOffWithoutMicrometerOnTheClassPath() {
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run(context -> assertThat(context).doesNotHaveBean(TapsMeterObserver.class)
                        .hasSingleBean(TransportServices.class));
    }

    @Test
    void isSwitchedOffByProperty() {
        runner.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("taps.metrics.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(TapsMeterObserver.class));
    }

    @Test
    void backsOffWhenTheApplicationDefinesItsOwnObserver() {
        runner.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
                .withUserConfiguration(OwnObserver.class).run(context -> {
                    assertThat(context).hasSingleBean(TapsMeterObserver.class);
                    assertThat(context.getBean(TapsMeterObserver.class)).isSameAs(context.getBean("ownObserver"));
                });
    }

    @Test
    void theSwitchesAreDocumentedInTheConfigurationMetadata() throws Exception {
        String metadata = java.nio.file.Files.readString(
                java.nio.file.Path.of("target/classes/META-INF/spring-configuration-metadata.json"));
        assertThat(metadata).contains("\"taps.metrics.enabled\"").contains("\"taps.observations.enabled\"");
    }

    private static double sum(MeterRegistry meters, String name, String direction) {
        return meters.find(name).tag("taps.direction", direction).counters().stream()
                .mapToDouble(counter -> counter.count()).sum();
    }

    private static double active(MeterRegistry meters, String stack, String role) {
        var gauge = meters.find("taps.connections.active").tags("taps.protocol.stack", stack, "taps.role", role).gauge();
        return gauge == null ? -1 : gauge.value();
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnObserver {
        @Bean
        TapsMeterObserver ownObserver(MeterRegistry registry) {
            return new TapsMeterObserver(registry, ConnectionProfiles.NONE);
        }
    }

    private static double cacheEntries(MeterRegistry meters, String cache) {
        return meters.get("taps.cache.entries").tag("taps.cache", cache).gauge().value();
    }
}

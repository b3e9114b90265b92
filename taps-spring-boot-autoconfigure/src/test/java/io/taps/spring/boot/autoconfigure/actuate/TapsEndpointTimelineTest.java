package io.taps.spring.boot.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.EstablishmentReport;
import io.taps.security.SecurityParameters;
import io.taps.spring.boot.autoconfigure.LoopbackEcho;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /actuator/taps} places each initiated Connection's establishment on the wall clock
 * ({@code startedAt}) and lists its name resolutions with their query and answer offsets, so a
 * page can draw the waterfalls of all Connections on one time axis with the DNS phase
 * (RFC 9623 §4.2, §4.3).
 */
class TapsEndpointTimelineTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, TapsEndpointAutoConfiguration.class))
            .withPropertyValues("taps.event-loop-threads=1", "management.endpoints.web.exposure.include=taps");

    @Test
    void resolvedNamesAreMaskedUnlessValuesAreShown() {
        runner.run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            Listener listener = LoopbackEcho.listen(taps, null);
            Connection client = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofHost("localhost", listener.port())).build().initiate();
            LoopbackEcho.await(client.ready());
            ConnectionDescriptor initiated = endpoint.taps().connections().stream()
                    .filter(c -> c.role().equals("initiate")).findFirst().orElseThrow();
            // The name asked says who the peer is, as its address does (show-values: never by default).
            assertThat(initiated.establishment().resolutions()).isNotEmpty()
                    .allSatisfy(resolution -> assertThat(resolution.name()).isEqualTo("******"));
        });
    }

    @Test
    void anInitiatedConnectionHasItsWallClockStartAndItsResolutionsAcceptedOnesHaveNone() {
        runner.withPropertyValues("management.endpoint.taps.show-values=always").run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            Listener listener = LoopbackEcho.listen(taps, null);
            // localhost: AAAA and A are both asked (the hosts file answers), so there is a DNS phase.
            Connection client = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofHost("localhost", listener.port())).build().initiate();
            LoopbackEcho.await(client.ready());
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.taps().connections().size() == 2);

            EstablishmentReport report = client.establishmentReport();
            ConnectionDescriptor initiated = endpoint.taps().connections().stream()
                    .filter(c -> c.role().equals("initiate")).findFirst().orElseThrow();
            ConnectionDescriptor.EstablishmentDescriptor establishment = initiated.establishment();
            assertThat(establishment.startedAt()).isEqualTo(report.startedAt().orElseThrow().toString());
            assertThat(Instant.parse(establishment.startedAt())).isBeforeOrEqualTo(Instant.now());
            assertThat(establishment.resolutions()).extracting(ConnectionDescriptor.ResolutionDescriptor::family)
                    .contains("AAAA", "A");
            for (ConnectionDescriptor.ResolutionDescriptor resolution : establishment.resolutions()) {
                assertThat(resolution.name()).isEqualTo("localhost");
                assertThat(resolution.startMs()).isNotNull().isGreaterThanOrEqualTo(0.0)
                        .isLessThanOrEqualTo(resolution.endMs());
            }
            assertThat(establishment.resolutions()).anySatisfy(resolution -> assertThat(resolution.answers()).isPositive());
            ConnectionDescriptor accepted = endpoint.taps().connections().stream()
                    .filter(c -> c.role().equals("listen")).findFirst().orElseThrow();
            // Accepted Connections raced nothing: no establishment section, so no start and no DNS.
            assertThat(accepted.establishment()).isNull();

            // As the actuator serializes it.
            JsonNode json = JsonMapper.builder().build().valueToTree(endpoint.connection(initiated.id()));
            assertThat(json.get("establishment").get("startedAt").asString()).isEqualTo(establishment.startedAt());
            assertThat(json.get("establishment").get("resolutions").get(0).has("startMs")).isTrue();
            assertThat(json.get("establishment").get("resolutions").get(0).has("endMs")).isTrue();
            client.abort();
            listener.close();
        });
    }
}

package io.taps.spring.boot.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.spring.boot.autoconfigure.LoopbackEcho;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsProfiles;
import io.taps.spring.boot.autoconfigure.TestCertificates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The built-in {@code secure-unreliable-datagram} profile (issue 18 item 4): with certificates from
 * SSL bundles it selects DTLS/UDP on both sides, and the actuator shows that stack for the
 * Listener and both Connections.
 */
class SecureUnreliableDatagramProfileTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, TapsEndpointAutoConfiguration.class,
                    org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration.class))
            .withPropertyValues(properties());

    private static String[] properties() {
        List<String> values = new ArrayList<>(List.of("taps.event-loop-threads=1",
                "management.endpoints.web.exposure.include=taps",
                "taps.profiles.dtls-server.base=secure-unreliable-datagram",
                "taps.profiles.dtls-server.security.ssl-bundle=server",
                "taps.profiles.dtls-client.base=secure-unreliable-datagram",
                "taps.profiles.dtls-client.security.ssl-bundle=trust"));
        values.addAll(List.of(TestCertificates.serverBundle("server")));
        values.addAll(List.of(TestCertificates.trustBundle("trust")));
        return values.toArray(new String[0]);
    }

    @Test
    void selectsDtlsOnBothSidesAndTheActuatorShowsIt() {
        runner.run(context -> {
            TapsProfiles profiles = context.getBean(TapsProfiles.class);
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            assertThat(TapsProfiles.builtInNames()).contains("secure-unreliable-datagram");
            assertThat(profiles.get("secure-unreliable-datagram").transportProperties().get(Property.RELIABILITY))
                    .isEqualTo(Preference.AVOID);
            Listener listener = profiles.preconnection("dtls-server").local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                    .build().listen(accepted -> accepted.receive().thenAccept(m -> accepted.send(m.bytes())));
            LoopbackEcho.await(listener.ready());
            assertThat(listener.protocolStack()).isEqualTo("DTLS/UDP");
            Connection client = profiles.preconnection("dtls-client")
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            LoopbackEcho.await(client.ready());
            LoopbackEcho.await(client.send("over DTLS"));
            assertThat(LoopbackEcho.await(client.receive()).asString()).isEqualTo("over DTLS");

            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.taps().connections().size() == 2);
            TapsDescriptor described = endpoint.taps();
            assertThat(described.listeners()).singleElement()
                    .satisfies(l -> assertThat(l.protocolStack()).isEqualTo("DTLS/UDP"));
            assertThat(described.connections()).hasSize(2)
                    .allSatisfy(c -> assertThat(c.protocolStack()).isEqualTo("DTLS/UDP"));
            assertThat(described.connections()).filteredOn(c -> c.role().equals("initiate")).singleElement()
                    .satisfies(c -> assertThat(c.establishment().attempts()).singleElement()
                            .satisfies(a -> assertThat(a.stack()).isEqualTo("DTLS/UDP")));
            client.abort();
            listener.stop();
        });
    }
}

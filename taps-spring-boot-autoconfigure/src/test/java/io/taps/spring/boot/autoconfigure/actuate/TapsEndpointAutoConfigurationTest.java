package io.taps.spring.boot.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.spring.boot.autoconfigure.LoopbackEcho;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import tools.jackson.databind.json.JsonMapper;

class TapsEndpointAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, TapsEndpointAutoConfiguration.class,
                    TapsHealthContributorAutoConfiguration.class))
            .withPropertyValues("taps.event-loop-threads=1", "management.endpoints.web.exposure.include=taps");

    @Test
    void listsTheListenerAndBothEndsOfALoopbackConnectionWithTheirEstablishment() {
        runner.run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            Listener listener = LoopbackEcho.listen(taps, null);
            Connection client = LoopbackEcho.connect(taps, listener, null);
            LoopbackEcho.exchange(client, 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.taps().connections().size() == 2);

            TapsDescriptor taps1 = endpoint.taps();
            assertThat(taps1.system().ioTransport()).isEqualTo(taps.ioTransport());
            assertThat(taps1.listeners()).singleElement().satisfies(described -> {
                assertThat(described.state()).isEqualTo("bound");
                assertThat(described.port()).isEqualTo(listener.port());
                assertThat(described.addresses()).containsExactly("127.0.0.1:" + listener.port());
                assertThat(described.protocolStack()).isEqualTo(listener.protocolStack());
                assertThat(described.acceptedConnections()).isEqualTo(1);
            });
            ConnectionDescriptor initiated = taps1.connections().stream().filter(c -> c.role().equals("initiate"))
                    .findFirst().orElseThrow();
            ConnectionDescriptor accepted = taps1.connections().stream().filter(c -> c.role().equals("listen"))
                    .findFirst().orElseThrow();
            assertThat(initiated.state()).isEqualTo("ESTABLISHED");
            assertThat(initiated.protocolStack()).isEqualTo(client.protocolStack().orElseThrow());
            assertThat(initiated.remote()).contains(Integer.toString(listener.port()));
            assertThat(initiated.establishment().finished()).isTrue();
            assertThat(initiated.establishment().winner()).contains("127.0.0.1:" + listener.port());
            assertThat(initiated.establishment().attempts()).singleElement().satisfies(attempt -> {
                assertThat(attempt.outcome()).isEqualTo("SUCCEEDED");
                assertThat(attempt.remote()).isEqualTo("127.0.0.1:" + listener.port());
                assertThat(attempt.startMs()).isGreaterThanOrEqualTo(0.0);
                assertThat(attempt.durationMs()).isNotNull();
            });
            assertThat(accepted.listener()).isEqualTo(taps1.listeners().get(0).id());
            assertThat(accepted.establishment().attempts()).isEmpty();

            // Ids are stable between reads, and the selector finds each Connection.
            assertThat(endpoint.taps().connections()).extracting(ConnectionDescriptor::id)
                    .containsExactlyElementsOf(taps1.connections().stream().map(ConnectionDescriptor::id).toList());
            assertThat(endpoint.connection(initiated.id())).isEqualTo(initiated);
            assertThat(endpoint.connection("c-999")).isNull();

            client.abort();
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.connection(initiated.id()) == null);
        });
    }

    @Test
    void theJsonOfATlsListenerAndConnectionHoldsNoKeyMaterial() throws Exception {
        Instant now = Instant.now();
        CertificateBuilder base = new CertificateBuilder().notBefore(now.minus(1, ChronoUnit.DAYS))
                .notAfter(now.plus(1, ChronoUnit.DAYS)).ecp256();
        X509Bundle root = base.copy().subject("CN=endpoint test root").setIsCertificateAuthority(true)
                .buildSelfSigned();
        X509Bundle server = base.copy().subject("CN=localhost").addSanDnsName("localhost")
                .addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth().buildIssuedBy(root);
        String privateKey = Base64.getEncoder().encodeToString(server.getKeyPair().getPrivate().getEncoded());
        runner.run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            Listener listener = LoopbackEcho.listen(taps, SecurityParameters.builder()
                    .identity(Identity.of(server.getKeyPair().getPrivate(), server.getCertificatePath()))
                    .alpn("echo/1").build());
            Connection client = LoopbackEcho.connect(taps, listener,
                    SecurityParameters.builder().trustAnchors(root.getCertificate()).alpn("echo/1").build());
            LoopbackEcho.exchange(client, 8);
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.taps().connections().size() == 2);

            String json = JsonMapper.builder().build().writeValueAsString(endpoint.taps());
            assertThat(json).contains("TLS/TCP").contains("\"applicationProtocol\":\"echo/1\"");
            assertThat(json).doesNotContain("PRIVATE KEY").doesNotContainIgnoringCase("password")
                    .doesNotContain("BEGIN CERTIFICATE").doesNotContain(privateKey.substring(0, 24));
        });
    }

    @Test
    void healthIsUpWhenEveryListenerIsBoundAndDownWhenOneFailed() {
        runner.run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            TapsHealthIndicator health = context.getBean(TapsHealthIndicator.class);
            Listener bound = LoopbackEcho.listen(taps, null);
            Health up = health.health(true);
            assertThat(up.getStatus()).isEqualTo(Status.UP);
            assertThat(up.getDetails().get("listeners").toString()).contains("bound")
                    .contains(Integer.toString(bound.port()));

            Listener failed = taps.preconnection()
                    .local(io.taps.endpoint.LocalEndpoint.ofAddress("127.0.0.1", bound.port())).build()
                    .listen(connection -> { });
            // A ListenError takes the Listener out of TransportServices.listeners(); a directory
            // that still declares it (as the @TapsListener registry does) reports it DOWN.
            await().atMost(Duration.ofSeconds(10)).until(() -> failed.ready().toCompletableFuture().isDone());
            TapsHealthIndicator declared = new TapsHealthIndicator(() -> java.util.List.of(
                    new ListenerDirectory.DeclaredListener("echo", "none", bound, true),
                    new ListenerDirectory.DeclaredListener("clash", "none", failed, true)));
            Health down = declared.health(true);
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            assertThat(down.getDetails().get("listeners").toString()).contains("clash").contains("failed");
        });
    }

    @Test
    void noEndpointUnlessExposed() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class,
                        TapsEndpointAutoConfiguration.class))
                .withPropertyValues("taps.event-loop-threads=1")
                .run(context -> assertThat(context).doesNotHaveBean(TapsEndpoint.class));
    }

    @Test
    void noEndpointWhenDisabled() {
        runner.withPropertyValues("management.endpoint.taps.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(TapsEndpoint.class));
    }

    @Test
    void noHealthIndicatorWhenDisabled() {
        runner.withPropertyValues("management.health.taps.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(TapsHealthIndicator.class));
    }

    @Test
    void backsOffWhenTheApplicationDefinesItsOwnEndpoint() {
        runner.withBean("ownEndpoint", TapsEndpoint.class,
                () -> new TapsEndpoint(TransportServices.builder().eventLoopThreads(1).build(), java.util.List::of,
                        new ListenerActivity()))
                .run(context -> assertThat(context).getBean(TapsEndpoint.class)
                        .isSameAs(context.getBean("ownEndpoint")));
    }
}

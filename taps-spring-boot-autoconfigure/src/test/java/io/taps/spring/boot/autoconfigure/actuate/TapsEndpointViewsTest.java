package io.taps.spring.boot.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.security.ClientAuthentication;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.spring.boot.autoconfigure.LoopbackEcho;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an operator reads in {@code /actuator/taps} (issue 16 item 5): each Connection once,
 * filtered and limited with the counts, the TLS outcome of secure Connections, and who the peers
 * are masked by default as Boot masks values ({@code management.endpoint.taps.show-values}). Real
 * loopback Connections with real certificates; the HTTP side is TapsActuatorHttpTests in the
 * starter module.
 */
class TapsEndpointViewsTest {
    private static X509Bundle root;
    private static X509Bundle server;
    private static X509Bundle client;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, TapsEndpointAutoConfiguration.class))
            .withPropertyValues("taps.event-loop-threads=1", "management.endpoints.web.exposure.include=taps");

    @BeforeAll
    static void certificates() throws Exception {
        Instant now = Instant.now();
        CertificateBuilder base = new CertificateBuilder().notBefore(now.minus(1, ChronoUnit.DAYS))
                .notAfter(now.plus(1, ChronoUnit.DAYS)).ecp256();
        root = base.copy().subject("CN=views test root").setIsCertificateAuthority(true).buildSelfSigned();
        server = base.copy().subject("CN=localhost,O=Views Server").addSanDnsName("localhost")
                .addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth().buildIssuedBy(root);
        client = base.copy().subject("CN=views client,O=Views Client").addExtendedKeyUsageClientAuth()
                .buildIssuedBy(root);
    }

    private static SecurityParameters serverSecurity() throws Exception {
        return SecurityParameters.builder()
                .identity(Identity.of(server.getKeyPair().getPrivate(), server.getCertificatePath()))
                .trustAnchors(root.getCertificate()).clientAuthentication(ClientAuthentication.REQUIRE).build();
    }

    private static SecurityParameters clientSecurity() throws Exception {
        return SecurityParameters.builder().trustAnchors(root.getCertificate())
                .identity(Identity.of(client.getKeyPair().getPrivate(), client.getCertificatePath())).build();
    }

    @Test
    void secureConnectionsShowTheirTlsOutcomeAndByDefaultNeitherPeerAddressesNorSubjects() throws Exception {
        runner.run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            Listener listener = LoopbackEcho.listen(taps, serverSecurity());
            Connection connection = LoopbackEcho.connect(taps, listener, clientSecurity());
            LoopbackEcho.exchange(connection, 4);
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.taps().connections().size() == 2
                    && !endpoint.taps().cache().performance().isEmpty());

            TapsDescriptor described = endpoint.taps();
            String port = Integer.toString(listener.port());
            for (ConnectionDescriptor c : described.connections()) {
                assertThat(c.security()).as(c.role()).isNotNull();
                assertThat(c.security().protocolVersion()).isEqualTo(
                        connection.securityOutcome().orElseThrow().protocolVersion());
                assertThat(c.security().cipherSuite()).isEqualTo(
                        connection.securityOutcome().orElseThrow().cipherSuite()).isNotBlank();
                assertThat(c.security().peerCertificateSubject()).isEqualTo("******");
                assertThat(c.remote()).isEqualTo("******");
            }
            ConnectionDescriptor initiated = described.connections().stream()
                    .filter(c -> c.role().equals("initiate")).findFirst().orElseThrow();
            assertThat(initiated.establishment().winner()).startsWith("TLS/TCP to ******").doesNotContain(port);
            assertThat(initiated.establishment().attempts()).singleElement()
                    .satisfies(attempt -> assertThat(attempt.remote()).isEqualTo("******"));
            assertThat(described.cache().performance()).singleElement()
                    .satisfies(statistics -> assertThat(statistics.remote()).isEqualTo("******"));
            // No field of the whole answer names a peer, nor its certificate. (Both ends live in this
            // process, so each address is still some Connection's own local address.)
            String json = JsonMapper.builder().build().writeValueAsString(described);
            assertThat(json).doesNotContainPattern("\"remote\":\"[^*]").contains("\"remote\":\"******\"")
                    .doesNotContain("Views Client").doesNotContain("Views Server").doesNotContain("CN=");
            // The listener's own address is not a peer's: still shown.
            assertThat(described.listeners()).singleElement()
                    .satisfies(l -> assertThat(l.addresses()).containsExactly("127.0.0.1:" + port));
            connection.abort();
        });
    }

    @Test
    void showValuesAlwaysShowsEachSidesPeerSubjectAndAddress() throws Exception {
        runner.withPropertyValues("management.endpoint.taps.show-values=always").run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            Listener listener = LoopbackEcho.listen(taps, serverSecurity());
            Connection connection = LoopbackEcho.connect(taps, listener, clientSecurity());
            LoopbackEcho.exchange(connection, 4);
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.taps().connections().size() == 2);

            TapsDescriptor described = endpoint.taps();
            ConnectionDescriptor initiated = described.connections().stream()
                    .filter(c -> c.role().equals("initiate")).findFirst().orElseThrow();
            ConnectionDescriptor accepted = described.connections().stream()
                    .filter(c -> c.role().equals("listen")).findFirst().orElseThrow();
            assertThat(initiated.security().peerCertificateSubject()).contains("CN=localhost").contains("O=Views Server");
            assertThat(accepted.security().peerCertificateSubject()).contains("CN=views client")
                    .contains("O=Views Client");
            assertThat(initiated.security().protocolVersion()).startsWith("TLSv1.");
            assertThat(initiated.remote()).contains(Integer.toString(listener.port()));
            assertThat(initiated.establishment().winner()).contains("127.0.0.1:" + listener.port());
            // JMX has no user: when-authorized shows values there, as Boot's env endpoint does.
            assertThat(new TapsEndpoint(taps, context.getBean(ListenerDirectory.class),
                    context.getBean(ListenerActivity.class), org.springframework.boot.actuate.endpoint.Show.WHEN_AUTHORIZED,
                    10).taps().connections()).allSatisfy(c -> assertThat(c.remote()).isNotEqualTo("******"));
            connection.abort();
        });
    }

    @Test
    void aFailedAttemptKeepsItsDiagnosisButNotThePeersAddressOrName() {
        runner.run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            Listener listener = LoopbackEcho.listen(taps, null);
            // *.localhost means ::1 and 127.0.0.1 (RFC 6761); the listener is on 127.0.0.1 only, so
            // the ::1 attempt is refused with a message that names the address.
            Connection connection = taps.preconnection().security(SecurityParameters.disabled())
                    .framer(io.taps.framer.lengthprefix.LengthPrefixFramer.factory(4))
                    .remote(io.taps.endpoint.RemoteEndpoint.ofHost("views.localhost", listener.port())).build()
                    .initiate();
            LoopbackEcho.await(connection.ready());
            var failed = connection.establishmentReport().startedAttempts().stream()
                    .filter(a -> a.outcome() == io.taps.monitor.EstablishmentReport.Outcome.FAILED).toList();
            org.junit.jupiter.api.Assumptions.assumeFalse(failed.isEmpty(),
                    "this host raced no refused ::1 attempt: " + connection.establishmentReport());
            String port = Integer.toString(listener.port());

            ConnectionDescriptor initiated = endpoint.taps().connections().stream()
                    .filter(c -> c.role().equals("initiate")).findFirst().orElseThrow();
            assertThat(initiated.establishment().attempts()).filteredOn(a -> a.outcome().equals("FAILED"))
                    .isNotEmpty().allSatisfy(attempt -> {
                        assertThat(attempt.remote()).isEqualTo("******");
                        assertThat(attempt.reason()).isNotBlank();
                        if (attempt.message() != null) {
                            assertThat(attempt.message()).doesNotContain(port).doesNotContain("::1")
                                    .doesNotContain("0:0:0:0:0:0:0:1").doesNotContain("views.localhost");
                        }
                    });
            assertThat(failed.get(0).message()).as("the unmasked message names the peer").isPresent();
            String json = JsonMapper.builder().build().writeValueAsString(initiated);
            assertThat(json).doesNotContain("views.localhost").doesNotContain(":" + port);
            connection.abort();
        });
    }

    @Test
    void theSettingsAreInTheConfigurationMetadataWithBootsDefault() throws Exception {
        String metadata = java.nio.file.Files.readString(
                java.nio.file.Path.of("target/classes/META-INF/spring-configuration-metadata.json"));
        assertThat(metadata).contains("\"management.endpoint.taps.show-values\"")
                .contains("\"management.endpoint.taps.roles\"").contains("\"management.endpoint.taps.default-limit\"");
        assertThat(new TapsEndpointProperties().getShowValues())
                .isEqualTo(org.springframework.boot.actuate.endpoint.Show.NEVER);
        assertThat(new TapsEndpointProperties().getDefaultLimit()).isEqualTo(TapsEndpoint.DEFAULT_LIMIT);
    }

    @Test
    void aCleartextConnectionHasNoSecuritySection() {
        runner.run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            Connection connection = LoopbackEcho.connect(taps, LoopbackEcho.listen(taps, null), null);
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.taps().connections().size() == 2);
            assertThat(endpoint.taps().connections()).allSatisfy(c -> assertThat(c.security()).isNull());
            connection.abort();
        });
    }

    @Test
    void filtersByListenerAndStateListEachConnectionOnceUpToTheLimitAndSayHowManyMatched() {
        runner.withPropertyValues("management.endpoint.taps.default-limit=3").run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            Listener first = LoopbackEcho.listen(taps, null);
            Listener second = LoopbackEcho.listen(taps, null);
            TapsEndpoint endpoint = new TapsEndpoint(taps, () -> List.of(
                    new ListenerDirectory.DeclaredListener("first", "none", first, true),
                    new ListenerDirectory.DeclaredListener("second", "none", second, true)),
                    context.getBean(ListenerActivity.class), org.springframework.boot.actuate.endpoint.Show.NEVER, 3);
            List<Connection> clients = List.of(LoopbackEcho.connect(taps, first, null),
                    LoopbackEcho.connect(taps, first, null), LoopbackEcho.connect(taps, second, null));
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.taps(null, null, 100).connections().size() == 6);

            TapsDescriptor all = endpoint.taps(null, null, null);
            assertThat(all.connectionCount()).isEqualTo(new TapsDescriptor.ConnectionCount(6, 6, 3, 3));
            assertThat(all.connections()).hasSize(3);
            TapsDescriptor everything = endpoint.taps(null, null, 100);
            assertThat(everything.connections()).extracting(ConnectionDescriptor::id).doesNotHaveDuplicates();
            // Groups name their members by id only: no Connection is described twice.
            assertThat(everything.groups()).hasSize(6).allSatisfy(g -> assertThat(g.connections()).hasSize(1));

            TapsDescriptor firstOnly = endpoint.taps("first", null, 100);
            assertThat(firstOnly.connections()).hasSize(2).allSatisfy(c -> {
                assertThat(c.listener()).isEqualTo("first");
                assertThat(c.role()).isEqualTo("listen");
            });
            assertThat(firstOnly.connectionCount()).isEqualTo(new TapsDescriptor.ConnectionCount(6, 2, 2, 100));
            assertThat(firstOnly.groups()).extracting(GroupDescriptor::id)
                    .containsExactlyInAnyOrderElementsOf(firstOnly.connections().stream().map(ConnectionDescriptor::group).toList());
            assertThat(endpoint.taps("second", "established", 1).connectionCount())
                    .isEqualTo(new TapsDescriptor.ConnectionCount(6, 1, 1, 1));
            assertThat(endpoint.taps("nobody", null, null).connections()).isEmpty();

            clients.get(0).close();
            LoopbackEcho.await(clients.get(0).closed());
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.taps(null, "ESTABLISHED", 100)
                    .connectionCount().matching() <= 5);
            assertThat(endpoint.taps(null, "Established", 100).connections())
                    .allSatisfy(c -> assertThat(c.state()).isEqualTo("ESTABLISHED"));

            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.taps(null, "half-open", null)).withMessageContaining("half-open");
            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.taps(null, null, 0)).withMessageContaining("at least 1");
            clients.forEach(Connection::abort);
        });
    }
}

package io.taps.spring.boot.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.spring.boot.autoconfigure.LoopbackEcho;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
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
            .withPropertyValues("taps.event-loop-threads=1", "management.endpoints.web.exposure.include=taps",
                    // These tests read the peers' addresses; TapsEndpointViewsTest covers the default mask.
                    "management.endpoint.taps.show-values=always");

    /** Issue 17: the connection view says whether a Connection runs MPTCP, as GetProperties does. */
    @Test
    void showsTheMultipathPropertiesInEffectOfBothEnds() throws Exception {
        java.nio.file.Path enabled = java.nio.file.Path.of("/proc/sys/net/mptcp/enabled");
        boolean mptcp = java.nio.file.Files.isReadable(enabled)
                && java.nio.file.Files.readString(enabled).trim().equals("1");
        if (!mptcp) {
            System.err.println("!!! SKIPPING the actuator's multipath view: this kernel has no MPTCP");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(mptcp, "the kernel must allow MPTCP sockets");
        runner.run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            io.taps.properties.TransportProperties passive = io.taps.properties.TransportProperties.builder()
                    .multipath(io.taps.properties.MultipathMode.PASSIVE).build();
            Listener listener = taps.preconnection().security(SecurityParameters.disabled()).properties(passive)
                    .local(io.taps.endpoint.LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                    .listen(connection -> { });
            listener.ready().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            Connection client = taps.preconnection().security(SecurityParameters.disabled())
                    .properties(io.taps.properties.TransportProperties.builder()
                            .multipath(io.taps.properties.MultipathMode.ACTIVE).build())
                    .remote(io.taps.endpoint.RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            client.ready().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.taps().connections().size() == 2);

            ConnectionDescriptor initiated = endpoint.taps().connections().stream()
                    .filter(c -> c.role().equals("initiate")).findFirst().orElseThrow();
            ConnectionDescriptor accepted = endpoint.taps().connections().stream()
                    .filter(c -> c.role().equals("listen")).findFirst().orElseThrow();
            assertThat(initiated.protocolStack()).isEqualTo("MPTCP");
            assertThat(initiated.multipath().multipath()).isEqualTo("ACTIVE");
            assertThat(initiated.multipath().multipathPolicy()).isEqualTo("HANDOVER");
            assertThat(initiated.establishment().notes()).anySatisfy(note -> assertThat(note).startsWith("MPTCP in use"));
            assertThat(accepted.protocolStack()).isEqualTo("MPTCP");
            assertThat(accepted.multipath().multipath()).isEqualTo("PASSIVE");
            client.abort();
            listener.close();
        });
    }

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
                // The 0-RTT flag mirrors the establishment report's (RFC 9622 §6.2.5).
                assertThat(attempt.earlyData())
                        .isEqualTo(client.establishmentReport().startedAttempts().get(0).earlyData());
            });
            assertThat(accepted.listener()).isEqualTo(taps1.listeners().get(0).id());
            // An accepted Connection raced nothing: no establishment section, and no group of its own
            // in the listing beyond the one its id names.
            assertThat(accepted.establishment()).isNull();
            assertThat(taps1.groups()).extracting(GroupDescriptor::id)
                    .containsExactlyInAnyOrder(initiated.group(), accepted.group());

            // Ids are stable between reads, and the selector finds each Connection.
            assertThat(endpoint.taps().connections()).extracting(ConnectionDescriptor::id)
                    .containsExactlyElementsOf(taps1.connections().stream().map(ConnectionDescriptor::id).toList());
            // The transfer report's duration grows between reads; everything else is the same.
            assertThat(endpoint.connection(initiated.id())).usingRecursiveComparison()
                    .ignoringFields("transfer.durationMs", "transfer.smoothedRttMs").isEqualTo(initiated);
            assertThat(endpoint.connection("c-999")).isNull();

            client.abort();
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.connection(initiated.id()) == null);
        });
    }

    @Test
    void theAttemptsNameTheProxyOfEachLeaf() throws Exception {
        int dead;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            dead = probe.getLocalPort();
        }
        runner.withPropertyValues("taps.proxies.servers.corp.type=socks5", "taps.proxies.servers.corp.host=127.0.0.1",
                "taps.proxies.servers.corp.port=" + dead).run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            Listener listener = LoopbackEcho.listen(taps, null);
            Connection client = LoopbackEcho.connect(taps, listener, null);
            ConnectionDescriptor initiated = endpoint.taps().connections().stream()
                    .filter(c -> c.role().equals("initiate")).findFirst().orElseThrow();
            assertThat(initiated.establishment().attempts()).extracting(ConnectionDescriptor.AttemptDescriptor::proxy,
                    ConnectionDescriptor.AttemptDescriptor::outcome).containsExactly(
                            org.assertj.core.groups.Tuple.tuple("SOCKS5 proxy 127.0.0.1:" + dead, "FAILED"),
                            org.assertj.core.groups.Tuple.tuple(null, "SUCCEEDED"));
            client.abort();
        });
    }

    @Test
    void aCloneShowsTwoConnectionsInOneGroupWithTheSharedPropertiesAndTransferReports() {
        runner.run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            Listener listener = LoopbackEcho.listen(taps, null);
            Connection client = LoopbackEcho.connect(taps, listener, null);
            Connection clone = client.clone();
            LoopbackEcho.await(clone.ready());
            client.setProperty(Property.CONN_TIMEOUT, Timeout.of(Duration.ofSeconds(30)));
            LoopbackEcho.exchange(client, 3, 5);
            LoopbackEcho.exchange(clone, 7);
            // Two initiated Connections in one group, and the two accepted ones in a group each.
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.taps().groups().size() == 3
                    && endpoint.taps().connections().stream().allMatch(c -> c.transfer().messagesReceived() > 0));

            TapsDescriptor described = endpoint.taps();
            GroupDescriptor group = described.groups().stream().filter(g -> g.connections().size() == 2)
                    .findFirst().orElseThrow();
            assertThat(group.id()).isEqualTo(client.group().id());
            assertThat(group.protocolStack()).isEqualTo(client.protocolStack().orElseThrow());
            assertThat(group.multiplexed()).isFalse();
            assertThat(group.sharedProperties()).containsEntry("connTimeout", "30s").doesNotContainKey("connPriority")
                    .doesNotContainKey("reliability");
            // Members are named by id and described once, in the connections section.
            java.util.function.Function<String, ConnectionDescriptor> byId = id -> described.connections().stream()
                    .filter(c -> c.id().equals(id)).findFirst().orElseThrow();
            assertThat(group.connections()).extracting(byId).extracting(ConnectionDescriptor::role)
                    .containsOnly("initiate");
            ConnectionDescriptor original = byId.apply(group.connections().get(0));
            ConnectionDescriptor cloned = byId.apply(group.connections().get(1));
            assertThat(original.group()).isEqualTo(group.id());
            assertThat(cloned.group()).isEqualTo(group.id());
            assertThat(described.connections()).hasSize(4).extracting(ConnectionDescriptor::id).doesNotHaveDuplicates();
            assertThat(original.transfer().bytesSent()).isEqualTo(8);
            assertThat(original.transfer().messagesSent()).isEqualTo(2);
            assertThat(original.transfer().bytesReceived()).isEqualTo(8);
            assertThat(original.transfer().messagesReceived()).isEqualTo(2);
            assertThat(original.transfer().readyAt()).isNotNull();
            assertThat(original.transfer().durationMs()).isPositive();
            assertThat(cloned.transfer().bytesSent()).isEqualTo(7);
            assertThat(cloned.establishment().notes()).anySatisfy(note -> assertThat(note).contains(group.id()));
            // The group's members carry the ids of the connections section.
            assertThat(described.connections()).extracting(ConnectionDescriptor::id)
                    .contains(original.id(), cloned.id());
            assertThat(described.groups()).filteredOn(g -> g != group)
                    .allSatisfy(g -> assertThat(g.connections()).singleElement()
                            .satisfies(member -> assertThat(byId.apply(member).role()).isEqualTo("listen")));

            // The selector shows one Connection with its transfer report.
            ConnectionDescriptor selected = endpoint.connection(cloned.id());
            assertThat(selected).isNotNull();
            assertThat(selected.transfer().bytesSent()).isEqualTo(7);
            assertThat(selected.transfer().messagesReceived()).isEqualTo(1);

            clone.close();
            LoopbackEcho.await(clone.closed());
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.taps().groups().stream()
                    .filter(g -> g.id().equals(group.id())).allMatch(g -> g.connections().size() == 1));
        });
    }

    @Test
    void theCacheSectionShowsThePathStatisticsOfAConnection() {
        runner.run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            assertThat(endpoint.taps().cache().performance()).isEmpty();
            Listener listener = LoopbackEcho.listen(taps, null);
            Connection client = LoopbackEcho.connect(taps, listener, null);
            LoopbackEcho.exchange(client, 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> !endpoint.taps().cache().performance().isEmpty());

            CacheDescriptor cache = endpoint.taps().cache();
            assertThat(cache.performance()).singleElement().satisfies(statistics -> {
                assertThat(statistics.remote()).isEqualTo("127.0.0.1:" + listener.port());
                assertThat(statistics.localNetwork()).isNotBlank();
                assertThat(statistics.successes()).isGreaterThan(0.9);
                assertThat(statistics.failures()).isZero();
                assertThat(statistics.establishmentTimeMs()).isNotNull().isPositive();
                assertThat(statistics.lastUpdated()).isNotBlank();
            });
            assertThat(cache.dnsEntries()).isGreaterThanOrEqualTo(0);
            assertThat(cache.tlsSessions()).isGreaterThanOrEqualTo(0);
        });
    }

    @Test
    void thePathsSectionShowsTheLoopbackInterface() {
        runner.run(context -> {
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            assertThat(endpoint.taps().paths()).anySatisfy(path -> {
                assertThat(path.name()).isEqualTo("lo");
                assertThat(path.type()).isEqualTo("LOOPBACK");
                assertThat(path.up()).isTrue();
                assertThat(path.addresses()).contains("127.0.0.1");
            });
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

            Connection clone = client.clone();
            LoopbackEcho.await(clone.ready());
            LoopbackEcho.exchange(clone, 8);
            await().atMost(Duration.ofSeconds(10)).until(() -> !endpoint.taps().cache().performance().isEmpty()
                    && endpoint.taps().cache().tlsSessions() > 0);

            String json = JsonMapper.builder().build().writeValueAsString(endpoint.taps());
            assertThat(json).contains("TLS/TCP").contains("\"applicationProtocol\":\"echo/1\"");
            // The new sections are there, with the TLS group, the cached path and the session count.
            assertThat(json).contains("\"groups\":[").contains("\"cache\":{").contains("\"paths\":[")
                    .contains("\"performance\":[{").contains("\"tlsSessions\":");
            String selected = JsonMapper.builder().build()
                    .writeValueAsString(endpoint.connection(endpoint.taps().connections().get(0).id()));
            assertThat(selected).contains("\"transfer\":{");
            for (String text : List.of(json, selected)) {
                assertThat(text).doesNotContain("PRIVATE KEY").doesNotContainIgnoringCase("password")
                        .doesNotContain("BEGIN CERTIFICATE").doesNotContain(privateKey.substring(0, 24))
                        .doesNotContainIgnoringCase("masterSecret").doesNotContainIgnoringCase("sessionId")
                        .doesNotContainIgnoringCase("ticket");
            }
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

            Listener failed = taps.preconnection().security(SecurityParameters.disabled())
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

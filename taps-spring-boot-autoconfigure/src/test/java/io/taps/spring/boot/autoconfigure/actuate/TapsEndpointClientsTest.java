package io.taps.spring.boot.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.security.SecurityParameters;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsClientAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsConversionAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import io.taps.spring.client.TapsClient;
import io.taps.spring.client.TapsClientConnectionException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The {@code clients} section of {@code /actuator/taps}: each {@code taps.clients.<name>} with its
 * profile, remote (masked unless show-values allows), state, pending requests, Connections,
 * re-establishments and last error, against a real framed echo Listener on loopback.
 */
class TapsEndpointClientsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static TransportServices peerSystem;
    private static Listener echo;
    private static int closedPort;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, TapsConversionAutoConfiguration.class,
                TapsListenerAutoConfiguration.class, TapsClientAutoConfiguration.class,
                TapsEndpointAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1", "management.endpoints.web.exposure.include=taps",
                "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix",
                "taps.clients.echo.profile=framed", "taps.clients.echo.remote.host=127.0.0.1",
                "taps.clients.echo.remote.port=${test.echo.port}",
                "taps.clients.nobody.profile=framed", "taps.clients.nobody.remote.host=127.0.0.1",
                "taps.clients.nobody.remote.port=${test.closed.port}",
                "taps.clients.nobody.reconnect.initial-backoff=20ms",
                "taps.clients.nobody.reconnect.max-backoff=50ms");

    /** A framed echo on loopback in a system of its own, and a port nobody listens on. */
    @BeforeAll
    static void startPeer() throws Exception {
        peerSystem = TransportServices.builder().eventLoopThreads(1).build();
        echo = peerSystem.preconnection().security(SecurityParameters.disabled())
            .framer(LengthPrefixFramer.factory(4))
            .local(LocalEndpoint.ofAddress("127.0.0.1", 0))
            .build()
            .listen(TapsEndpointClientsTest::serve);
        echo.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
    }

    @AfterAll
    static void stopPeer() {
        peerSystem.close();
    }

    private static void serve(Connection connection) {
        connection.receive().whenComplete((message, failure) -> {
            if (failure == null && message.length() > 0) {
                connection.send(Message.of(message.bytes())).thenRun(() -> serve(connection));
            }
            else {
                connection.close();
            }
        });
    }

    private ApplicationContextRunner withPorts() {
        return this.runner.withPropertyValues("test.echo.port=" + echo.port(), "test.closed.port=" + closedPort);
    }

    @Test
    void listsEachClientIdleUntilFirstUseThenConnectedWithItsRemoteMaskedByDefault() {
        withPorts().run(context -> {
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            assertThat(endpoint.taps().clients()).extracting(ClientDescriptor::name).containsExactly("echo", "nobody");
            ClientDescriptor idle = client(endpoint, "echo");
            assertThat(idle.state()).isEqualTo("idle");
            assertThat(idle.profile()).isEqualTo("framed");
            assertThat(idle.remote()).isEqualTo(PeerValues.MASK);
            assertThat(idle.pendingRequests()).isZero();
            assertThat(idle.connections()).isZero();
            assertThat(idle.reconnects()).isZero();
            assertThat(idle.lastError()).isNull();

            TapsClient client = context.getBean("echo", TapsClient.class);
            assertThat(client.request("hello", String.class).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isEqualTo("hello");
            ClientDescriptor connected = client(endpoint, "echo");
            assertThat(connected.state()).isEqualTo("connected");
            assertThat(connected.connections()).isEqualTo(1);
            assertThat(connected.remote()).isEqualTo(PeerValues.MASK);

            context.stop();
            assertThat(client(endpoint, "echo").state()).isEqualTo("closed");
        });
    }

    @Test
    void showsTheRemoteWhenShowValuesAllowsIt() {
        withPorts().withPropertyValues("management.endpoint.taps.show-values=always").run(context -> {
            ClientDescriptor echoClient = client(context.getBean(TapsEndpoint.class), "echo");
            assertThat(echoClient.remote()).isEqualTo("127.0.0.1:" + echo.port());
        });
    }

    @Test
    void aClientWhosePeerIsDownIsReconnectingWithItsPendingCallsAndLastError() {
        withPorts().run(context -> {
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            TapsClient nobody = context.getBean("nobody", TapsClient.class);
            CompletableFuture<String> waiting = nobody.request("anyone?", String.class, Duration.ofSeconds(30))
                .toCompletableFuture();
            await().atMost(WAIT).untilAsserted(() -> {
                ClientDescriptor down = client(endpoint, "nobody");
                assertThat(down.state()).isEqualTo("reconnecting");
                assertThat(down.reconnects()).isGreaterThanOrEqualTo(2);
                assertThat(down.lastError()).isNotNull();
            });
            ClientDescriptor down = client(endpoint, "nobody");
            assertThat(down.pendingRequests()).isEqualTo(1);
            assertThat(down.connections()).isZero();
            assertThat(down.lastError().type()).isEqualTo("io.taps.TransportServicesException");
            assertThat(down.lastError().message()).contains("EstablishmentFailed").doesNotContain("127.0.0.1")
                .doesNotContain(String.valueOf(closedPort));
            // The other client is untouched by it.
            assertThat(client(endpoint, "echo").state()).isEqualTo("idle");

            context.stop();
            assertThat(waiting).failsWithin(WAIT).withThrowableThat().havingRootCause()
                .isInstanceOf(TapsClientConnectionException.class);
            assertThat(client(endpoint, "nobody").state()).isEqualTo("closed");
        });
    }

    @Test
    void theLastErrorNamesThePeerWhenShowValuesAllowsIt() {
        withPorts().withPropertyValues("management.endpoint.taps.show-values=always").run(context -> {
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            context.getBean("nobody", TapsClient.class).send("anyone?");
            await().atMost(WAIT).until(() -> client(endpoint, "nobody").lastError() != null);
            assertThat(client(endpoint, "nobody").lastError().message()).contains("127.0.0.1:" + closedPort);
        });
    }

    private static ClientDescriptor client(TapsEndpoint endpoint, String name) {
        return endpoint.taps().clients().stream().filter(client -> client.name().equals(name)).findFirst()
            .orElseThrow();
    }
}

package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.EstablishmentReport;
import io.taps.security.SecurityParameters;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code taps.proxies.*} and {@code taps.profiles.<name>.proxies.*} (RFC 9623 §4.1.2: proxies as
 * branches of the candidate tree) reach the TransportServices and the profiles' Preconnections,
 * shown by what real loopback establishments do and report: a proxy that refuses its TCP
 * connection is a failed leaf named in the report; racing lets the direct path win, proxy-only
 * does not try it. Bad values fail start-up naming the key.
 */
class ProxyPropertiesTests {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class))
            .withPropertyValues("taps.event-loop-threads=1");

    /** A port on 127.0.0.1 where nothing listens (refused at once). */
    private static int deadPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    @Test
    void systemWideRaceTriesTheProxyFirstAndTheDirectPathWinsWhenItIsDead() throws Exception {
        int dead = deadPort();
        runner.withPropertyValues("taps.proxies.servers.corp.type=socks5", "taps.proxies.servers.corp.host=127.0.0.1",
                "taps.proxies.servers.corp.port=" + dead, "taps.proxies.servers.corp.username=app",
                "taps.proxies.servers.corp.password=secret", "taps.proxies.delay=50ms").run(context -> {
            TransportServices taps = context.getBean(TransportServices.class);
            Listener listener = LoopbackEcho.listen(taps, null);
            Connection client = LoopbackEcho.connect(taps, listener, null);
            LoopbackEcho.exchange(client, 100);
            List<EstablishmentReport.Attempt> attempts = client.establishmentReport().startedAttempts();
            assertThat(attempts).hasSize(2);
            assertThat(attempts.get(0).candidate().proxyUsed()).contains("SOCKS5 proxy app@127.0.0.1:" + dead);
            assertThat(attempts.get(0).outcome()).isEqualTo(EstablishmentReport.Outcome.FAILED);
            assertThat(attempts.get(0).message().orElseThrow()).doesNotContain("secret");
            assertThat(attempts.get(1).candidate().proxyUsed()).isEmpty();
            assertThat(attempts.get(1).outcome()).isEqualTo(EstablishmentReport.Outcome.SUCCEEDED);
        });
    }

    @Test
    void aProfileThatAllowsOnlyItsProxyNeverTriesTheDirectPathAndOtherProfilesStayDirect() throws Exception {
        int dead = deadPort();
        runner.withPropertyValues("taps.profiles.tunnelled.proxies.policy=proxy",
                "taps.profiles.tunnelled.proxies.servers.web.type=http-connect",
                "taps.profiles.tunnelled.proxies.servers.web.host=127.0.0.1",
                "taps.profiles.tunnelled.proxies.servers.web.port=" + dead,
                "taps.profiles.tunnelled.security.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            TransportServices taps = context.getBean(TransportServices.class);
            Listener listener = LoopbackEcho.listen(taps, null);
            TapsProfiles profiles = context.getBean(TapsProfiles.class);
            Connection tunnelled = profiles.preconnection("tunnelled")
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> tunnelled.ready().toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertThat(((TransportServicesException) failure.getCause()).reason())
                    .isEqualTo(ErrorReason.ESTABLISHMENT_FAILED);
            assertThat(tunnelled.establishmentReport().startedAttempts()).singleElement()
                    .satisfies(attempt -> assertThat(attempt.candidate().proxyUsed())
                            .contains("HTTP CONNECT proxy 127.0.0.1:" + dead));
            Connection direct = profiles.preconnection("default").security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            LoopbackEcho.await(direct.ready());
            assertThat(direct.establishmentReport().startedAttempts()).singleElement()
                    .satisfies(attempt -> assertThat(attempt.candidate().proxyUsed()).isEmpty());
        });
    }

    @Test
    void proxyPolicyWithoutAServerFailsStartUpNamingTheKey() {
        runner.withPropertyValues("taps.proxies.policy=proxy").run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("taps.proxies");
            assertThat(analysis.getAction()).contains("at least one server");
        });
    }

    @Test
    void aServerWithoutAPortFailsStartUpNamingItsKey() {
        runner.withPropertyValues("taps.profiles.p.proxies.servers.corp.type=socks5",
                "taps.profiles.p.proxies.servers.corp.host=proxy.example").run(context -> {
            assertThat(context).hasFailed();
            assertThat(analysis(context.getStartupFailure()).getDescription())
                    .contains("taps.profiles.p.proxies.servers.corp");
        });
    }

    @Test
    void aDelayBelowTenMillisecondsFailsStartUp() {
        runner.withPropertyValues("taps.proxies.system=true", "taps.proxies.delay=" + Duration.ofMillis(5).toMillis())
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(analysis(context.getStartupFailure()).getDescription()).contains("taps.proxies")
                            .contains("10 ms");
                });
    }

    private static FailureAnalysis analysis(Throwable failure) {
        FailureAnalysis analysis = new TapsConfigurationFailureAnalyzer().analyze(failure);
        assertThat(analysis).as("analysis of %s", failure).isNotNull();
        return analysis;
    }
}

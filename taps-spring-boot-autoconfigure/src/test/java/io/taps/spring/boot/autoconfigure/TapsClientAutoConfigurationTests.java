package io.taps.spring.boot.autoconfigure;

import static io.taps.spring.boot.autoconfigure.EnvironmentVariableBindingTests.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.spring.client.TapsClient;
import io.taps.spring.client.TapsClientConnections;
import io.taps.spring.client.TapsClients;
import io.taps.spring.client.TapsRequestTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.MimeType;

/**
 * {@link TapsClientAutoConfiguration}: a bean per {@code taps.clients.<name>}, checked settings that
 * fail start-up with the full key, and no client observer when no client is configured.
 */
class TapsClientAutoConfigurationTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, TapsConversionAutoConfiguration.class,
                TapsListenerAutoConfiguration.class, TapsClientAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1", "taps.profiles.plain.security.enabled=false",
                "taps.profiles.plain.framers=length-prefix");

    @Test
    void withoutClientsTheRegistryIsEmptyAndNoClientObserverIsRegistered() {
        this.contextRunner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(TapsClients.class).names()).isEmpty();
            assertThat(context).doesNotHaveBean(TapsClientConnections.class);
            assertThat(context).doesNotHaveBean(TapsClient.class);
        });
    }

    @Test
    void eachClientIsABeanNamedAfterItWithItsSettingsBound() {
        this.contextRunner
            .withPropertyValues("taps.clients.orders.profile=plain", "taps.clients.orders.remote.host=127.0.0.1",
                    "taps.clients.orders.remote.port=7001", "taps.clients.orders.content-type=application/json",
                    "taps.clients.billing.profile=plain", "taps.clients.billing.remote.host=localhost",
                    "taps.clients.billing.remote.port=7002", "taps.clients.billing.request-timeout=250ms",
                    "taps.clients.billing.reconnect.multiplier=1.5")
            .run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBeansOfType(TapsClient.class)).containsOnlyKeys("orders", "billing");
                assertThat(context.getBean("orders", TapsClient.class).profile()).isEqualTo("plain");
                assertThat(context).hasSingleBean(TapsClientConnections.class);
                TapsClientSettings orders = context.getBean(TapsProperties.class).getClients().get("orders");
                assertThat(orders.getContentType()).isEqualTo(MimeType.valueOf("application/json"));
                TapsClientSettings billing = context.getBean(TapsProperties.class).getClients().get("billing");
                assertThat(billing.getRequestTimeout()).isEqualTo(Duration.ofMillis(250));
                assertThat(billing.getReconnect().getMultiplier()).isEqualTo(1.5);
                assertThat(billing.getPool().getMaxPending()).isEqualTo(1000);
            });
    }

    @Test
    void aClientWhoseNameIsTakenByAnotherBeanIsNamedWithASuffixAndStillQualified() {
        this.contextRunner.withBean("orders", String.class, () -> "not a client")
            .withPropertyValues("taps.clients.orders.profile=plain", "taps.clients.orders.remote.host=127.0.0.1",
                    "taps.clients.orders.remote.port=7001")
            .run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBeansOfType(TapsClient.class)).containsOnlyKeys("ordersTapsClient");
            });
    }

    @Test
    void anUnknownProfileFailsStartUpWithTheKey() {
        assertFails("taps.clients.orders.profile=nope", "taps.clients.orders.profile", "unknown taps profile 'nope'");
    }

    @Test
    void aClientWithoutRemoteHostOrPortFailsStartUpWithTheKey() {
        this.contextRunner.withPropertyValues("taps.clients.orders.profile=plain", "taps.clients.orders.remote.port=1")
            .run(context -> assertThat(failure(context.getStartupFailure()).key())
                .isEqualTo("taps.clients.orders.remote.host"));
        this.contextRunner
            .withPropertyValues("taps.clients.orders.profile=plain", "taps.clients.orders.remote.host=127.0.0.1")
            .run(context -> assertThat(failure(context.getStartupFailure()).key())
                .isEqualTo("taps.clients.orders.remote.port"));
        assertFails("taps.clients.orders.remote.port=http", "taps.clients.orders.remote.port", "is not a port");
    }

    @Test
    void badBackOffAndPoolSettingsFailStartUpNamingTheKey() {
        assertFails("taps.clients.orders.reconnect.multiplier=0.5", "taps.clients.orders",
                "reconnect.multiplier must be at least 1");
        assertFails("taps.clients.orders.pool.max-pending=0", "taps.clients.orders", "pool.max-pending");
        assertFails("taps.clients.orders.request-timeout=0s", "taps.clients.orders", "request-timeout");
    }

    @Test
    void aMisspeltClientKeyFailsStartUp() {
        this.contextRunner.withPropertyValues("taps.clients.orders.remote.hots=127.0.0.1")
            .run(context -> assertThat(failure(context.getStartupFailure()).problem())
                .contains("did you mean taps.clients.orders.remote.host?"));
    }

    /**
     * A port placeholder that cannot be resolved yet does not fail start-up: each establishment
     * resolves it, and a request meanwhile fails typed once its timeout ran out, not sent.
     */
    @Test
    void anUnresolvablePortPlaceholderLetsARequestTimeOutTyped() {
        this.contextRunner
            .withPropertyValues("taps.clients.later.profile=plain", "taps.clients.later.remote.host=127.0.0.1",
                    "taps.clients.later.remote.port=${local.taps.missing.port}")
            .run(context -> {
                assertThat(context).hasNotFailed();
                TapsClient later = context.getBean("later", TapsClient.class);
                assertThatThrownBy(() -> later.request("hi", String.class, Duration.ofMillis(300)).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(TapsRequestTimeoutException.class, ex -> {
                        assertThat(ex.wasSent()).isFalse();
                        assertThat(ex.getMessage()).contains("no Connection became Ready")
                            .contains("local.taps.missing.port");
                    });
            });
    }

    private void assertFails(String property, String key, String problem) {
        this.contextRunner
            .withPropertyValues("taps.clients.orders.profile=plain", "taps.clients.orders.remote.host=127.0.0.1",
                    "taps.clients.orders.remote.port=7001", property)
            .run(context -> {
                assertThat(context).hasFailed();
                TapsConfigurationException failure = failure(context.getStartupFailure());
                assertThat(failure.key()).isEqualTo(key);
                assertThat(failure.getMessage()).contains(problem);
            });
    }
}

package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.RacingConfig;
import io.taps.properties.Limit;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.security.ClientAuthentication;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Durations and data sizes read as Spring Boot reads them (a bare number is milliseconds, or the
 * {@code @DurationUnit} where another unit is natural; sizes in bytes or with KB/MB units), in
 * {@link TapsProperties} and in the RFC 9622 properties of profiles; and {@code client-auth} in
 * Boot's words.
 */
@ExtendWith(OutputCaptureExtension.class)
class DurationAndSizeBindingTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, SslAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1");

    @Test
    void bareNumbersAreSecondsWhereSecondsAreNaturalAndMillisecondsElsewhere() {
        this.contextRunner
            .withPropertyValues("taps.shutdown-timeout=30", "taps.path-monitor.interval=7",
                    "taps.cache.performance-half-life=600", "taps.racing.connection-attempt-delay=300",
                    "taps.racing.resolution-delay=0")
            .run(context -> {
                TapsProperties properties = context.getBean(TapsProperties.class);
                assertThat(properties.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
                assertThat(properties.getPathMonitor().getInterval()).isEqualTo(Duration.ofSeconds(7));
                assertThat(properties.getCache().getPerformanceHalfLife()).isEqualTo(Duration.ofMinutes(10));
                assertThat(properties.getRacing().getConnectionAttemptDelay()).isEqualTo(Duration.ofMillis(300));
                assertThat(properties.getRacing().getResolutionDelay()).isZero();
            });
    }

    @Test
    void racingDefaultsAreTheCoresDefaults() {
        TapsProperties.Racing racing = new TapsProperties().getRacing();
        RacingConfig defaults = RacingConfig.defaults();
        assertThat(racing.getResolutionDelay()).isEqualTo(defaults.resolutionDelay());
        assertThat(racing.getConnectionAttemptDelay()).isEqualTo(defaults.connectionAttemptDelay());
        assertThat(racing.getMinimumAttemptDelay()).isEqualTo(defaults.minimumAttemptDelay());
        assertThat(racing.getMaximumAttemptDelay()).isEqualTo(defaults.maximumAttemptDelay());
        assertThat(racing.getMaxLeaves()).isEqualTo(defaults.maxLeaves());
        assertThat(racing.getMaxAddressesPerHost()).isEqualTo(defaults.maxAddressesPerHost());
    }

    @Test
    void profileTimeoutsTakeBareMillisecondsAndBootUnits() {
        this.contextRunner
            .withPropertyValues("taps.profiles.p.security.enabled=false","taps.profiles.p.connection.conn-timeout=5000",
                    "taps.profiles.p.connection.keep-alive-timeout=PT30S",
                    "taps.profiles.p.connection.tcp.user-timeout-value=1m",
                    "taps.profiles.p.connection.taps.close-timeout=disabled",
                    "taps.profiles.p.message.msg-lifetime=1500")
            .run(context -> {
                var properties = context.getBean(TapsProfiles.class).get("p").transportProperties();
                assertThat(properties.get(Property.CONN_TIMEOUT)).isEqualTo(Timeout.of(Duration.ofSeconds(5)));
                assertThat(properties.get(Property.KEEP_ALIVE_TIMEOUT)).isEqualTo(Timeout.of(Duration.ofSeconds(30)));
                assertThat(properties.get(Property.TCP_USER_TIMEOUT_VALUE))
                    .isEqualTo(Timeout.of(Duration.ofMinutes(1)));
                assertThat(properties.get(Property.CLOSE_TIMEOUT)).isEqualTo(Timeout.NONE);
                assertThat(properties.get(Property.MSG_LIFETIME)).isEqualTo(Timeout.of(Duration.ofMillis(1500)));
            });
    }

    @Test
    void zeroTimeoutFailsSayingWhatATimeoutLooksLike() {
        this.contextRunner.withPropertyValues("taps.profiles.p.connection.conn-timeout=0").run(context -> {
            assertThat(context).hasFailed();
            TapsConfigurationException failure = (TapsConfigurationException) context.getStartupFailure()
                .getCause()
                .getCause();
            assertThat(failure.key()).isEqualTo("taps.profiles.p.connection.conn-timeout");
            assertThat(failure.problem()).contains("greater than zero");
            assertThat(failure.action()).contains("bare number is milliseconds");
        });
    }

    @Test
    void sendQueueLimitTakesADataSize() {
        this.contextRunner
            .withPropertyValues("taps.profiles.p.connection.taps.send-queue-limit=64KB",
                    "taps.profiles.q.security.enabled=false",
                    "taps.profiles.q.connection.taps.send-queue-limit=1000",
                    "taps.profiles.r.security.enabled=false",
                    "taps.profiles.r.connection.taps.send-queue-limit=unlimited")
            .run(context -> {
                TapsProfiles profiles = context.getBean(TapsProfiles.class);
                assertThat(profiles.get("p").transportProperties().get(Property.SEND_QUEUE_LIMIT))
                    .isEqualTo(Limit.of(65536));
                assertThat(profiles.get("q").transportProperties().get(Property.SEND_QUEUE_LIMIT))
                    .isEqualTo(Limit.of(1000));
                assertThat(profiles.get("r").transportProperties().get(Property.SEND_QUEUE_LIMIT))
                    .isEqualTo(Limit.UNLIMITED);
            });
    }

    @Test
    void clientAuthTakesBootsWords() {
        this.contextRunner.withPropertyValues(TestCertificates.serverBundle("server"))
            .withPropertyValues("taps.profiles.a.security.ssl-bundle=server", "taps.profiles.a.security.client-auth=want",
                    "taps.profiles.b.security.ssl-bundle=server", "taps.profiles.b.security.client-auth=NEED",
                    "taps.profiles.c.security.ssl-bundle=server", "taps.profiles.c.security.client-auth=none")
            .run(context -> {
                TapsProfiles profiles = context.getBean(TapsProfiles.class);
                assertThat(profiles.get("a").securityParameters().clientAuthentication())
                    .isEqualTo(ClientAuthentication.OPTIONAL);
                assertThat(profiles.get("b").securityParameters().clientAuthentication())
                    .isEqualTo(ClientAuthentication.REQUIRE);
                assertThat(profiles.get("c").securityParameters().clientAuthentication())
                    .isEqualTo(ClientAuthentication.NONE);
            });
    }

    @Test
    void oldClientAuthWordsStillBindAndWarn(CapturedOutput output) {
        this.contextRunner.withPropertyValues(TestCertificates.serverBundle("server"))
            .withPropertyValues("taps.profiles.a.security.ssl-bundle=server",
                    "taps.profiles.a.security.client-auth=optional", "taps.profiles.b.security.ssl-bundle=server",
                    "taps.profiles.b.security.client-auth=require")
            .run(context -> {
                TapsProfiles profiles = context.getBean(TapsProfiles.class);
                assertThat(profiles.get("a").securityParameters().clientAuthentication())
                    .isEqualTo(ClientAuthentication.OPTIONAL);
                assertThat(profiles.get("b").securityParameters().clientAuthentication())
                    .isEqualTo(ClientAuthentication.REQUIRE);
                assertThat(output).contains("taps.profiles.a.security.client-auth=optional is deprecated; write want")
                    .contains("taps.profiles.b.security.client-auth=require is deprecated; write need");
            });
    }
}

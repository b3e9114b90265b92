package io.taps.spring.boot.autoconfigure;

import static io.taps.spring.boot.autoconfigure.EnvironmentVariableBindingTests.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertiesPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Every {@code taps.*} key must be a key taps has: a misspelt one, in any property source
 * (including system properties, which Boot's own unknown-field check skips), fails start-up with
 * the full key, where it came from and the nearest known key.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnknownKeyTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1");

    @Test
    void misspeltTopLevelKeyFailsSuggestingTheKnownOne() {
        this.contextRunner.withPropertyValues("taps.evnt-loop-threads=2").run(context -> {
            assertThat(context).hasFailed();
            TapsConfigurationException failure = failure(context.getStartupFailure());
            assertThat(failure.key()).isEqualTo("taps.evnt-loop-threads");
            assertThat(failure.problem()).contains("unknown key 'evnt-loop-threads' under taps")
                .contains("did you mean taps.event-loop-threads?");
            assertThat(failure.action()).contains("TapsProperties");
        });
    }

    @Test
    void unknownKeysInsideProfilesGroupsAndFramersFail() {
        assertFails("taps.profiles.chat.selecton.reliability=require", "taps.profiles.chat.selecton.reliability",
                "did you mean taps.profiles.chat.selection?");
        assertFails("taps.profiles.chat.security.sslbundel=server", "taps.profiles.chat.security.sslbundel",
                "did you mean taps.profiles.chat.security.ssl-bundle?");
        assertFails("taps.racing.connection-delay=1s", "taps.racing.connection-delay", "Keys under taps.racing");
        assertFails("taps.framers.line.delimitter=crlf", "taps.framers.line.delimitter",
                "did you mean taps.framers.line.delimiter?");
        assertFails("taps.listeners.echo.prot=7", "taps.listeners.echo.prot", "did you mean taps.listeners.echo.port?");
        assertFails("taps.shutdown-timeout.seconds=4", "taps.shutdown-timeout.seconds", "is a value");
        assertFails("taps.racing=fast", "taps.racing", "is a group of keys");
    }

    @Test
    void knownKeysOfEveryKindPass() {
        this.contextRunner
            .withPropertyValues("taps.native-transport=false", "taps.name-servers[0]=127.0.0.1:5353",
                    "taps.metrics.enabled=false", "taps.observations.enabled=false", "taps.listener.execution=platform",
                    "taps.profiles.chat.selection.interface.lo=prefer", "taps.profiles.chat.framers[0]=line",
                    "taps.profiles.chat.security.alpn=a,b", "taps.framers.line.max-message-size=1KB",
                    "taps.cache.performance-size=0", "taps.path-monitor.interval=0")
            .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void systemPropertiesAreCheckedToo() {
        Properties systemProperties = new Properties();
        systemProperties.setProperty("taps.natve-transport", "false");
        this.contextRunner
            .withInitializer(context -> context.getEnvironment()
                .getPropertySources()
                .replace(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME, new PropertiesPropertySource(
                        StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME, systemProperties)))
            .run(context -> assertThat(failure(context.getStartupFailure()).problem())
                .contains("did you mean taps.native-transport?"));
    }

    @Test
    void twoSpellingsOfOneProfileFail() {
        this.contextRunner
            .withPropertyValues("taps.profiles.secure-server.security.enabled=false","taps.profiles.secure-server.selection.reliability=require",
                    "taps.profiles.secureServer.security.enabled=false",
                    "taps.profiles.secureServer.connection.conn-timeout=1s")
            .run(context -> assertThat(failure(context.getStartupFailure()).problem())
                .contains("names the same profile"));
    }

    @Test
    void oneRfcPropertyInTwoSpellingsFails() {
        this.contextRunner
            .withPropertyValues("taps.profiles.chat.selection.preserve-msg-boundaries=require",
                    "taps.profiles.chat.selection.preserveMsgBoundaries=avoid")
            .run(context -> assertThat(failure(context.getStartupFailure()).problem())
                .contains("sets preserveMsgBoundaries a second time"));
    }

    @Test
    void applicationStartedAsUsersStartItReportsBothKindsThroughTheFailureAnalyzer(CapturedOutput output) {
        SpringApplication application = new SpringApplication(TapsOnly.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources()
            .replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                    new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                            Map.of("TAPS_PROFILES_SECURE_SERVER_SELECTON_RELIABILITY", "require")));
        application.setEnvironment(environment);
        application.setDefaultProperties(Map.of("taps.event-loop-threads", "1",
                "taps.profiles.secure-server.selection.reliability", "prefer", "taps.lisener.auto-startup", "false"));
        assertThatThrownBy(() -> {
            try (ConfigurableApplicationContext context = application.run()) {
                // started: the assertion below fails
            }
        }).isInstanceOf(TapsConfigurationException.class);
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("Invalid taps configuration: taps.lisener.auto-startup")
            .contains("did you mean taps.listener?")
            .contains("TAPS_PROFILES_SECURE_SERVER_SELECTON_RELIABILITY");
    }

    @Test
    void applicationStartedAsUsersStartItBindsTheDashedProfileFromTheEnvironment() {
        SpringApplication application = new SpringApplication(TapsOnly.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources()
            .replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                    new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                            Map.of("TAPS_PROFILES_SECURE_SERVER_SELECTION_RELIABILITY", "require",
                                    "TAPS_PROFILES_SECURESERVER_CONNECTION_CONN_TIMEOUT", "2s",
                                    "TAPS_EVENT_LOOP_THREADS", "1")));
        application.setEnvironment(environment);
        application.setDefaultProperties(Map.of("taps.profiles.secure-server.selection.reliability", "prefer"));
        try (ConfigurableApplicationContext context = application.run()) {
            TapsProfiles profiles = context.getBean(TapsProfiles.class);
            assertThat(profiles.get("secure-server").transportProperties().get(io.taps.properties.Property.RELIABILITY))
                .isEqualTo(io.taps.properties.Preference.REQUIRE);
            assertThat(profiles.get("secure-server").transportProperties().get(io.taps.properties.Property.CONN_TIMEOUT))
                .isEqualTo(io.taps.properties.Timeout.of(java.time.Duration.ofSeconds(2)));
            assertThat(context.getBean(TapsProperties.class).getProfiles()).containsOnlyKeys("secure-server");
            assertThat(context.getBean(TapsProperties.class).getEventLoopThreads()).isEqualTo(1);
        }
    }

    private void assertFails(String property, String key, String hint) {
        this.contextRunner.withPropertyValues(property).run(context -> {
            assertThat(context).as(property).hasFailed();
            TapsConfigurationException failure = failure(context.getStartupFailure());
            assertThat(failure.key()).isEqualTo(key);
            assertThat(failure.problem()).contains(hint);
        });
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TapsAutoConfiguration.class)
    static class TapsOnly {
    }
}

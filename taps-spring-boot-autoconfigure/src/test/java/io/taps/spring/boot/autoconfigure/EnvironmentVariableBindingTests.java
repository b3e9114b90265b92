package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * {@code TAPS_*} environment variables, read through a {@link SystemEnvironmentPropertySource} as
 * Boot reads the process environment, against profiles an application.yml-like source defines:
 * every underscore spelling of RFC 9622 names and of dashed profile names reaches the one profile
 * it means, with environment variables taking precedence, and no shadow profile appears.
 */
class EnvironmentVariableBindingTests {
    private static final String YAML = "applicationConfig: [classpath:/application.yml]";

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1");

    @Test
    void underscoredRfcNamesBind() {
        run(Map.of("TAPS_PROFILES_LINES_SELECTION_PRESERVE_MSG_BOUNDARIES", "require",
                "TAPS_PROFILES_LINES_SELECTION_PER_MSG_RELIABILITY", "prefer",
                "TAPS_PROFILES_LINES_SELECTION_MULTISTREAMING", "avoid",
                "TAPS_PROFILES_LINES_CONNECTION_TCP_USER_TIMEOUT_VALUE", "20s",
                "TAPS_PROFILES_LINES_CONNECTION_TAPS_CLOSE_TIMEOUT", "1500",
                "TAPS_PROFILES_LINES_SELECTION_INTERFACE_LO", "prefer"), Map.of())
            .run(context -> {
                assertThat(context).hasNotFailed();
                var properties = context.getBean(TapsProfiles.class).get("lines").transportProperties();
                assertThat(properties.get(Property.PRESERVE_MSG_BOUNDARIES)).isEqualTo(Preference.REQUIRE);
                assertThat(properties.get(Property.PER_MSG_RELIABILITY)).isEqualTo(Preference.PREFER);
                assertThat(properties.get(Property.MULTISTREAMING)).isEqualTo(Preference.AVOID);
                assertThat(properties.get(Property.TCP_USER_TIMEOUT_VALUE))
                    .isEqualTo(Timeout.of(Duration.ofSeconds(20)));
                assertThat(properties.get(Property.CLOSE_TIMEOUT)).isEqualTo(Timeout.of(Duration.ofMillis(1500)));
                assertThat(properties.get(Property.INTERFACE).toString()).contains("lo");
            });
    }

    @Test
    void legacyCamelAndKebabSpellingsBindToo() {
        run(Map.of("TAPS_PROFILES_A_SELECTION_PRESERVEMSGBOUNDARIES", "require"),
                Map.of("taps.profiles.b.selection.preserveMsgBoundaries", "require",
                        "taps.profiles.c.selection.preserve-msg-boundaries", "require",
                        "taps.profiles.d.selection.PRESERVE_MSG_BOUNDARIES", "require"))
            .run(context -> {
                TapsProfiles profiles = context.getBean(TapsProfiles.class);
                for (String name : new String[] { "a", "b", "c", "d" }) {
                    assertThat(profiles.get(name).transportProperties().get(Property.PRESERVE_MSG_BOUNDARIES))
                        .as(name)
                        .isEqualTo(Preference.REQUIRE);
                }
            });
    }

    @Test
    void dashedProfileOfTheYamlIsReachedByBothUnderscoreFormsWithoutShadowProfiles() {
        run(Map.of("TAPS_PROFILES_SECURE_SERVER_SELECTION_RELIABILITY", "require",
                "TAPS_PROFILES_SECURESERVER_CONNECTION_CONN_TIMEOUT", "3s",
                "TAPS_PROFILES_SECURE_SERVER_SELECTION_PRESERVE_MSG_BOUNDARIES", "require"),
                Map.of("taps.profiles.secure-server.selection.reliability", "prefer",
                        "taps.profiles.secure-server.selection.preserve-msg-boundaries", "avoid",
                        "taps.profiles.secure-server.framers", "line"))
            .run(context -> {
                assertThat(context).hasNotFailed();
                TapsProfiles profiles = context.getBean(TapsProfiles.class);
                assertThat(profiles.names()).containsExactlyInAnyOrder("default", "reliable-inorder-stream",
                        "reliable-message", "unreliable-datagram", "secure-unreliable-datagram", "secure-server");
                TapsProfile secure = profiles.get("secure-server");
                // the environment wins over application.yml, as for any Boot property
                assertThat(secure.transportProperties().get(Property.RELIABILITY)).isEqualTo(Preference.REQUIRE);
                assertThat(secure.transportProperties().get(Property.PRESERVE_MSG_BOUNDARIES))
                    .isEqualTo(Preference.REQUIRE);
                assertThat(secure.transportProperties().get(Property.CONN_TIMEOUT))
                    .isEqualTo(Timeout.of(Duration.ofSeconds(3)));
                assertThat(secure.framerNames()).containsExactly("line");
                TapsProperties properties = context.getBean(TapsProperties.class);
                assertThat(properties.getProfiles()).containsOnlyKeys("secure-server");
            });
    }

    @Test
    void dashedProfileOnlyTheEnvironmentDefinesIsOneProfile() {
        run(Map.of("TAPS_PROFILES_EDGE_PROXY_SELECTION_RELIABILITY", "avoid",
                "TAPS_PROFILES_EDGEPROXY_CONNECTION_CONN_TIMEOUT", "1s"), Map.of())
            .run(context -> {
                TapsProfiles profiles = context.getBean(TapsProfiles.class);
                assertThat(context.getBean(TapsProperties.class).getProfiles()).containsOnlyKeys("edge-proxy");
                TapsProfile edge = profiles.get("edgeProxy");
                assertThat(edge.name()).isEqualTo("edge-proxy");
                assertThat(edge.transportProperties().get(Property.RELIABILITY)).isEqualTo(Preference.AVOID);
                assertThat(edge.transportProperties().get(Property.CONN_TIMEOUT))
                    .isEqualTo(Timeout.of(Duration.ofSeconds(1)));
            });
    }

    @Test
    void builtInProfilesAreReachedFromTheEnvironment() {
        run(Map.of("TAPS_PROFILES_RELIABLE_MESSAGE_CONNECTION_CONN_TIMEOUT", "1s"), Map.of()).run(context -> {
            TapsProfiles profiles = context.getBean(TapsProfiles.class);
            assertThat(profiles.names()).containsExactlyInAnyOrder("default", "reliable-inorder-stream",
                    "reliable-message", "unreliable-datagram", "secure-unreliable-datagram");
            TapsProfile reliableMessage = profiles.get("reliable-message");
            assertThat(reliableMessage.transportProperties().get(Property.CONN_TIMEOUT))
                .isEqualTo(Timeout.of(Duration.ofSeconds(1)));
            assertThat(reliableMessage.transportProperties().get(Property.PRESERVE_MSG_BOUNDARIES))
                .isEqualTo(Preference.REQUIRE);
        });
    }

    @Test
    void topLevelGroupAndFramerKeysBind() {
        run(Map.of("TAPS_EVENT_LOOP_THREADS", "1", "TAPS_RACING_CONNECTIONATTEMPTDELAY", "300",
                "TAPS_FRAMERS_LENGTH_PREFIX_LENGTH_SIZE", "2", "TAPS_NAME_SERVERS_0", "127.0.0.1:5353",
                "TAPS_LISTENER_AUTO_STARTUP", "false"), Map.of())
            .run(context -> {
                TapsProperties properties = context.getBean(TapsProperties.class);
                assertThat(properties.getRacing().getConnectionAttemptDelay()).isEqualTo(Duration.ofMillis(300));
                assertThat(properties.getFramers()).containsOnlyKeys("length-prefix");
                assertThat(properties.getFramers().get("length-prefix").getLengthSize()).isEqualTo(2);
                assertThat(properties.getNameServers()).containsExactly("127.0.0.1:5353");
                assertThat(properties.getListener().isAutoStartup()).isFalse();
            });
    }

    @Test
    void misspeltVariableFailsStartUpNamingItAndTheKeysExpectedThere() {
        run(Map.of("TAPS_PROFILES_CHAT_SELECTON_RELIABILITY", "require"), Map.of()).run(context -> {
            assertThat(context).hasFailed();
            TapsConfigurationException failure = failure(context.getStartupFailure());
            assertThat(failure.key()).isEqualTo("TAPS_PROFILES_CHAT_SELECTON_RELIABILITY");
            assertThat(failure.problem()).contains("matches no taps.* key").contains("selection");
        });
        run(Map.of("TAPS_EVENT_LOOP_THREDS", "2"), Map.of()).run(context -> {
            TapsConfigurationException failure = failure(context.getStartupFailure());
            assertThat(failure.problem()).contains("did you mean TAPS_EVENT_LOOP_THREADS");
        });
    }

    @Test
    void variableThatCouldBeTwoKeysFailsUnlessAnotherSourceNamesTheProfile() {
        Map<String, Object> variables = Map.of("TAPS_PROFILES_A_CONNECTION_MESSAGE_MSG_PRIORITY", "5");
        run(variables, Map.of()).run(context -> assertThat(failure(context.getStartupFailure()).problem())
            .contains("matches 2 keys"));
        run(variables, Map.of("taps.profiles.a-connection.base", "default")).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(TapsProfiles.class).get("a-connection").transportProperties()
                .get(Property.MSG_PRIORITY)).isEqualTo(5);
        });
    }

    @Test
    void twoVariablesForOneKeyFail() {
        run(Map.of("TAPS_EVENT_LOOP_THREADS", "1", "TAPS_EVENTLOOPTHREADS", "2"), Map.of())
            .run(context -> assertThat(failure(context.getStartupFailure()).problem()).contains("set it once"));
        run(Map.of("TAPS_PROFILES_P_SELECTION_PRESERVE_MSG_BOUNDARIES", "require",
                "TAPS_PROFILES_P_SELECTION_PRESERVEMSGBOUNDARIES", "avoid"), Map.of())
            .run(context -> assertThat(failure(context.getStartupFailure()).problem())
                .contains("sets preserveMsgBoundaries a second time"));
    }

    private ApplicationContextRunner run(Map<String, Object> variables, Map<String, Object> yaml) {
        return this.contextRunner.withInitializer(context -> {
            var sources = context.getEnvironment().getPropertySources();
            sources.addBefore(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                    new SystemEnvironmentPropertySource("test-systemEnvironment", variables));
            sources.addLast(new MapPropertySource(YAML, yaml));
        });
    }

    static TapsConfigurationException failure(Throwable startupFailure) {
        Throwable cause = startupFailure;
        while (cause != null && !(cause instanceof TapsConfigurationException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("TapsConfigurationException in %s", startupFailure).isNotNull();
        return (TapsConfigurationException) cause;
    }
}

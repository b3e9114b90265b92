package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.ErrorReason;
import io.taps.Preconnection;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.security.ClientAuthentication;
import io.taps.security.SecurityLevel;
import io.taps.spring.framer.TapsFramer;
import io.taps.spring.framer.TapsFramers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import java.util.Map;

/** Tests for {@link TapsAutoConfiguration}: beans, back-off, profiles and start-up failures. */
@ExtendWith(OutputCaptureExtension.class)
class TapsAutoConfigurationTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, SslAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1");

    @Test
    void providesTransportServicesConfiguredFromProperties() {
        this.contextRunner.withPropertyValues("taps.native-transport=false").run(context -> {
            assertThat(context).hasSingleBean(TransportServices.class);
            assertThat(context.getBean(TransportServices.class).ioTransport()).isEqualTo("nio");
            assertThat(context).hasSingleBean(TapsProfiles.class).hasSingleBean(TapsFramers.class);
        });
    }

    @Test
    void transportServicesBacksOffWhenTheApplicationDefinesItsOwn() {
        this.contextRunner.withUserConfiguration(OwnTransportServices.class).run(context -> {
            assertThat(context).hasSingleBean(TransportServices.class);
            assertThat(context.getBean(TransportServices.class)).isSameAs(context.getBean("ownTaps"));
        });
    }

    @Test
    void customizersAreAppliedInOrderAfterTheProperties() {
        this.contextRunner.withPropertyValues("taps.native-transport=true")
            .withUserConfiguration(Customizers.class)
            .run(context -> {
                assertThat(context.getBean(Customizers.class).calls).containsExactly("first", "second");
                // the second customizer switched native transport off after the property switched it on
                assertThat(context.getBean(TransportServices.class).ioTransport()).isEqualTo("nio");
            });
    }

    @Test
    void invalidRacingTimersFailStartUpNamingTheKey() {
        this.contextRunner
            .withPropertyValues("taps.racing.minimum-attempt-delay=3s", "taps.racing.maximum-attempt-delay=1s")
            .run(context -> {
                assertThat(context).hasFailed();
                assertThat(analysis(context.getStartupFailure()).getDescription()).contains("taps.racing")
                    .contains("minimumAttemptDelay");
            });
    }

    @Test
    void profilesAreParsedFromProperties() {
        this.contextRunner
            .withPropertyValues("taps.profiles.chat.selection.reliability=require",
                    "taps.profiles.chat.selection.preserve-msg-boundaries=require",
                    "taps.profiles.chat.selection.multistreaming=prefer",
                    "taps.profiles.chat.selection.interface.lo=prefer",
                    "taps.profiles.chat.connection.conn-timeout=5s",
                    "taps.profiles.chat.connection.tcp.user-timeout-value=30s",
                    "taps.profiles.chat.connection.taps.close-timeout=2s",
                    "taps.profiles.chat.message.msg-lifetime=2s", "taps.profiles.chat.framers=length-prefix,line",
                    "taps.profiles.chat.remote.host=127.0.0.1", "taps.profiles.chat.remote.port=7000",
                    "taps.profiles.chat.local.port=0", "taps.profiles.chat.security.enabled=false")
            .run(context -> {
                TapsProfile chat = context.getBean(TapsProfiles.class).get("chat");
                assertThat(chat.transportProperties().get(Property.RELIABILITY)).isEqualTo(Preference.REQUIRE);
                assertThat(chat.transportProperties().get(Property.PRESERVE_MSG_BOUNDARIES))
                    .isEqualTo(Preference.REQUIRE);
                assertThat(chat.transportProperties().get(Property.MULTISTREAMING)).isEqualTo(Preference.PREFER);
                assertThat(chat.transportProperties().get(Property.INTERFACE).toString()).contains("lo");
                assertThat(chat.transportProperties().get(Property.CONN_TIMEOUT))
                    .isEqualTo(Timeout.of(Duration.ofSeconds(5)));
                assertThat(chat.transportProperties().get(Property.TCP_USER_TIMEOUT_VALUE))
                    .isEqualTo(Timeout.of(Duration.ofSeconds(30)));
                assertThat(chat.transportProperties().get(Property.CLOSE_TIMEOUT))
                    .isEqualTo(Timeout.of(Duration.ofSeconds(2)));
                assertThat(chat.transportProperties().get(Property.MSG_LIFETIME))
                    .isEqualTo(Timeout.of(Duration.ofSeconds(2)));
                assertThat(chat.framerNames()).containsExactly("length-prefix", "line");
                assertThat(chat.securityParameters().level()).isEqualTo(SecurityLevel.DISABLED);
                Preconnection preconnection = context.getBean(TapsProfiles.class).preconnection("chat").build();
                assertThat(preconnection.framers()).hasSize(2);
                assertThat(preconnection.remoteEndpoints()).singleElement()
                    .satisfies(remote -> assertThat(remote.port()).hasValue(7000));
                assertThat(preconnection.localEndpoints()).singleElement()
                    .satisfies(local -> assertThat(local.port()).hasValue(0));
            });
    }

    @Test
    void builtInProfilesMirrorTheRfcProfilesAndCanBeExtended() {
        this.contextRunner
            .withPropertyValues("taps.profiles.datagrams.security.enabled=false","taps.profiles.datagrams.base=unreliable-datagram",
                    "taps.profiles.datagrams.connection.conn-priority=7",
                    "taps.profiles.reliable-message.security.enabled=false",
                    "taps.profiles.reliable-message.connection.conn-timeout=1s")
            .run(context -> {
                TapsProfiles profiles = context.getBean(TapsProfiles.class);
                assertThat(profiles.names()).contains("default", "reliable-inorder-stream", "reliable-message",
                        "unreliable-datagram", "datagrams");
                TapsProfile datagrams = profiles.get("datagrams");
                assertThat(datagrams.transportProperties().get(Property.RELIABILITY)).isEqualTo(Preference.AVOID);
                assertThat(datagrams.transportProperties().get(Property.SAFELY_REPLAYABLE)).isTrue();
                assertThat(datagrams.transportProperties().get(Property.CONN_PRIORITY)).isEqualTo(7);
                TapsProfile reliableMessage = profiles.get("reliable-message");
                assertThat(reliableMessage.transportProperties().get(Property.PRESERVE_MSG_BOUNDARIES))
                    .isEqualTo(Preference.REQUIRE);
                assertThat(reliableMessage.transportProperties().get(Property.CONN_TIMEOUT))
                    .isEqualTo(Timeout.of(Duration.ofSeconds(1)));
                assertThat(profiles.get("reliable-inorder-stream").transportProperties().get(
                        Property.PRESERVE_MSG_BOUNDARIES)).isEqualTo(Preference.NO_PREFERENCE);
            });
    }

    @Test
    void misspelledSelectionPropertyFailsStartUpNamingTheFullKey() {
        this.contextRunner.withPropertyValues("taps.profiles.chat.selection.reliabilty=require").run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("taps.profiles.chat.selection.reliabilty")
                .contains("did you mean 'reliability'");
            assertThat(analysis.getAction()).contains("Selection Property");
        });
    }

    @Test
    void badPreferenceWordFailsStartUpListingTheWords() {
        this.contextRunner.withPropertyValues("taps.profiles.chat.selection.reliability=maybe").run(context -> {
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("taps.profiles.chat.selection.reliability")
                .contains("maybe");
            assertThat(analysis.getAction()).contains("require, prefer, no-preference, avoid, prohibit");
        });
    }

    @Test
    void propertyInTheWrongSectionFailsStartUpSayingWhereItBelongs() {
        this.contextRunner.withPropertyValues("taps.profiles.chat.connection.reliability=require").run(context -> {
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("taps.profiles.chat.connection.reliability")
                .contains("Selection Property");
            assertThat(analysis.getAction()).contains("taps.profiles.chat.selection");
        });
    }

    @Test
    void unknownFramerFailsStartUpListingTheKnownFramers() {
        this.contextRunner.withPropertyValues("taps.profiles.chat.framers=line,lenght-prefix").run(context -> {
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("taps.profiles.chat.framers[1]").contains("lenght-prefix");
            assertThat(analysis.getAction()).contains("length-prefix").contains("@TapsFramer");
        });
    }

    @Test
    void unknownBaseProfileFailsStartUp() {
        this.contextRunner.withPropertyValues("taps.profiles.chat.base=realiable-message").run(context -> {
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("taps.profiles.chat.base").contains("realiable-message");
            assertThat(analysis.getAction()).contains("reliable-message");
        });
    }

    @Test
    void cycleOfBaseProfilesFailsStartUp() {
        this.contextRunner.withPropertyValues("taps.profiles.a.security.enabled=false","taps.profiles.a.base=b", "taps.profiles.b.security.enabled=false", "taps.profiles.b.base=a").run(context -> {
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains(".base").contains("cycle");
        });
    }

    @Test
    void invalidEndpointFailsStartUpNamingTheEndpoint() {
        this.contextRunner.withPropertyValues("taps.profiles.chat.remote.host=127.0.0.1",
                "taps.profiles.chat.remote.port=70000").run(context -> {
                    FailureAnalysis analysis = analysis(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("taps.profiles.chat.remote");
                });
    }

    @Test
    void unknownSslBundleFailsStartUp() {
        this.contextRunner.withPropertyValues("taps.profiles.chat.security.ssl-bundle=missing").run(context -> {
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("taps.profiles.chat.security.ssl-bundle")
                .contains("missing");
        });
    }

    @Test
    void sslBundleBecomesIdentitiesAndTrustAnchors() {
        this.contextRunner.withPropertyValues(TestCertificates.serverBundle("server"))
            .withPropertyValues("taps.profiles.secure.security.ssl-bundle=server",
                    "taps.profiles.secure.security.alpn=chat/1,chat/0",
                    "taps.profiles.secure.security.client-auth=want",
                    "taps.profiles.secure.security.server-name=localhost")
            .run(context -> {
                TapsProfile secure = context.getBean(TapsProfiles.class).get("secure");
                assertThat(secure.securityParameters().level()).isEqualTo(SecurityLevel.REQUIRED);
                assertThat(secure.securityParameters().identities()).singleElement()
                    .satisfies(identity -> assertThat(identity.certificate())
                        .isEqualTo(TestCertificates.SERVER.getCertificate()));
                assertThat(secure.securityParameters().trustAnchors())
                    .contains(TestCertificates.ROOT.getCertificate());
                assertThat(secure.securityParameters().alpn()).containsExactly("chat/1", "chat/0");
                assertThat(secure.securityParameters().clientAuthentication())
                    .isEqualTo(ClientAuthentication.OPTIONAL);
                assertThat(secure.securityParameters().serverName()).hasValue("localhost");
                assertThat(secure.securityParameters().toString()).doesNotContain("PRIVATE");
            });
    }

    @Test
    void unknownProfileNameFailsListingTheKnownOnes() {
        this.contextRunner.withPropertyValues("taps.profiles.chat.selection.reliability=require").run(context -> {
            TapsProfiles profiles = context.getBean(TapsProfiles.class);
            assertThatThrownBy(() -> profiles.preconnection("caht")).isInstanceOf(TransportServicesException.class)
                .hasMessageContaining("caht")
                .hasMessageContaining("chat")
                .hasMessageContaining("reliable-message")
                .satisfies(ex -> assertThat(((TransportServicesException) ex).reason())
                    .isEqualTo(ErrorReason.INVALID_CONFIGURATION));
        });
    }

    @Test
    void builtInFramersAreKnownAndTapsFramerBeansAddToAndReplaceThem() {
        this.contextRunner.withUserConfiguration(Framers.class)
            .withPropertyValues("taps.profiles.short.security.enabled=false","taps.profiles.short.framers=short-length")
            .run(context -> {
                TapsFramers framers = context.getBean(TapsFramers.class);
                assertThat(framers.names()).contains("length-prefix", "line", "tlv", "short-length");
                assertThat(framers.get("short-length")).isSameAs(context.getBean("shortLength"));
                assertThat(framers.get("line")).isSameAs(context.getBean("ownLine"));
                assertThat(context.getBean(TapsProfiles.class).get("short").framers())
                    .containsExactly(context.getBean("shortLength", FramerFactory.class));
            });
    }

    @Test
    void applicationStartUpReportsTheBadKeyThroughTheRegisteredFailureAnalyzer(CapturedOutput output) {
        SpringApplication application = new SpringApplication(BadProfileApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setDefaultProperties(Map.of("taps.event-loop-threads", "1",
                "taps.profiles.chat.selection.reliabilty", "require"));
        assertThatThrownBy(application::run).isInstanceOf(Exception.class);
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("Invalid taps configuration: taps.profiles.chat.selection.reliabilty")
            .contains("did you mean 'reliability'");
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TapsAutoConfiguration.class)
    static class BadProfileApplication {
    }

    private static FailureAnalysis analysis(Throwable failure) {
        FailureAnalysis analysis = new TapsConfigurationFailureAnalyzer().analyze(failure);
        assertThat(analysis).as("analysis of %s", failure).isNotNull();
        return analysis;
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnTransportServices {
        @Bean(destroyMethod = "close")
        TransportServices ownTaps() {
            return TransportServices.builder().eventLoopThreads(1).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizers {
        final List<String> calls = new ArrayList<>();

        @Bean
        @Order(2)
        TransportServicesCustomizer second() {
            return builder -> {
                this.calls.add("second");
                builder.nativeTransport(false);
            };
        }

        @Bean
        @Order(1)
        TransportServicesCustomizer first() {
            return builder -> this.calls.add("first");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Framers {
        @Bean
        @TapsFramer("short-length")
        FramerFactory shortLength() {
            return LengthPrefixFramer.factory(2);
        }

        @Bean
        @TapsFramer("line")
        FramerFactory ownLine() {
            return LengthPrefixFramer.factory(1);
        }
    }
}

package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The {@code zero-rtt-msg} key (RFC 9622 §6.2.5 zeroRttMsg, issue 17 item 5) of a profile reaches
 * the Preconnection and its stack selection: a Listener profile opts in to 0-RTT with it, and a
 * Require taps cannot meet (TCP Fast Open on an isolated session) fails naming why.
 */
class ZeroRttProfileTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, SslAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1");

    @Test
    void zeroRttMsgBindsFromAProfileAndReachesSelection() {
        this.contextRunner
            .withPropertyValues("taps.profiles.edge.selection.zero-rtt-msg=prefer",
                    "taps.profiles.strict.selection.zero-rtt-msg=require",
                    "taps.profiles.strict.connection.isolate-session=true",
                    "taps.profiles.strict.remote.host=127.0.0.1", "taps.profiles.strict.remote.port=9",
                    "taps.profiles.strict.security.enabled=false")
            .run(context -> {
                TapsProfiles profiles = context.getBean(TapsProfiles.class);
                assertThat(profiles.get("edge").transportProperties().get(Property.ZERO_RTT_MSG))
                    .isEqualTo(Preference.PREFER);
                assertThat(profiles.get("strict").transportProperties().get(Property.ZERO_RTT_MSG))
                    .isEqualTo(Preference.REQUIRE);
                assertThatThrownBy(() -> profiles.preconnection("strict").build()
                        .initiate(new io.taps.ConnectionEventHandler() { }))
                    .isInstanceOf(TransportServicesException.class)
                    .satisfies(e -> assertThat(((TransportServicesException) e).reason())
                        .isEqualTo(ErrorReason.NO_CANDIDATES))
                    .hasMessageContaining("TCP Fast Open");
            });
    }
}

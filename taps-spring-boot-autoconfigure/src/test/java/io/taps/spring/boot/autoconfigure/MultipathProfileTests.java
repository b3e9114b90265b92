package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.properties.MultipathMode;
import io.taps.properties.MultipathPolicy;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Role;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Issue 17 item 5: the multipath keys in a profile, in Boot's kebab case as docs/multipath.md shows
 * them ({@code multipath}, {@code advertises-altaddr}, {@code multipath-policy} and taps'
 * {@code taps.multipath-transport}), become the RFC 9622 properties of the profile's Preconnections.
 */
class MultipathProfileTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class))
            .withPropertyValues("taps.event-loop-threads=1");

    @Test
    void theMultipathKeysOfAProfileBecomeItsTransportProperties() {
        contextRunner.withPropertyValues("taps.profiles.mp.selection.multipath=active",
                "taps.profiles.mp.selection.advertises-altaddr=true",
                "taps.profiles.mp.selection.taps.multipath-transport=require",
                "taps.profiles.mp.connection.multipath-policy=aggregate",
                "taps.profiles.passive.selection.multipath=passive").run(context -> {
                    TapsProfiles profiles = context.getBean(TapsProfiles.class);
                    TapsProfile mp = profiles.get("mp");
                    assertThat(mp.transportProperties().get(Property.MULTIPATH)).isEqualTo(MultipathMode.ACTIVE);
                    assertThat(mp.transportProperties().get(Property.ADVERTISES_ALTADDR)).isTrue();
                    assertThat(mp.transportProperties().get(Property.MULTIPATH_TRANSPORT)).isEqualTo(Preference.REQUIRE);
                    assertThat(mp.transportProperties().get(Property.MULTIPATH_POLICY))
                            .isEqualTo(MultipathPolicy.AGGREGATE);
                    TapsProfile passive = profiles.get("passive");
                    assertThat(passive.transportProperties().isSet(Property.MULTIPATH)).isTrue();
                    assertThat(passive.transportProperties().get(Property.MULTIPATH, Role.LISTEN))
                            .isEqualTo(MultipathMode.PASSIVE);
                });
    }
}

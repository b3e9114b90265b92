package io.taps.spring.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Message;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.spring.boot.autoconfigure.TapsProfile;
import io.taps.spring.boot.autoconfigure.TapsProfiles;
import io.taps.spring.boot.test.autoconfigure.TapsTest;
import io.taps.spring.listener.LocalTapsPort;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Profiles written in YAML (flow maps, nested maps, lists) as design.md sketches them, end to end. */
@TapsTest(properties = { "spring.config.name=taps-yaml-test", "chat.port=0" })
class YamlProfilesTests {

    @Autowired
    TapsProfiles profiles;

    @LocalTapsPort("chat")
    int chatPort;

    @Test
    void yamlProfilesBindWithEveryMapStyle() {
        TapsProfile chat = this.profiles.get("chat");
        assertThat(chat.transportProperties().get(Property.PRESERVE_MSG_BOUNDARIES)).isEqualTo(Preference.REQUIRE);
        assertThat(chat.transportProperties().get(Property.MULTISTREAMING)).isEqualTo(Preference.PREFER);
        assertThat(chat.transportProperties().get(Property.CONN_TIMEOUT)).isEqualTo(Timeout.of(Duration.ofSeconds(5)));
        assertThat(chat.transportProperties().get(Property.TCP_USER_TIMEOUT_VALUE))
            .isEqualTo(Timeout.of(Duration.ofSeconds(20)));
        assertThat(chat.transportProperties().get(Property.MSG_PRIORITY)).isEqualTo(50);
        TapsProfile pinned = this.profiles.get("pinned");
        assertThat(pinned.transportProperties().get(Property.INTERFACE).toString()).contains("lo").contains("wlan0");
        assertThat(pinned.transportProperties().get(Property.RELIABILITY)).isEqualTo(Preference.REQUIRE);
        assertThat(pinned.framerNames()).containsExactly("length-prefix");
    }

    @Test
    void clientBuiltFromTheProfileTalksToTheListener() throws Exception {
        Connection connection = this.profiles.preconnection("chat")
            .remote(RemoteEndpoint.ofAddress("127.0.0.1", this.chatPort))
            .build()
            .initiate();
        try {
            connection.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
            connection.send(Message.of("hello"));
            assertThat(connection.receive().toCompletableFuture().get(10, TimeUnit.SECONDS).asString())
                .isEqualTo("echo: hello");
        }
        finally {
            connection.close();
        }
    }
}

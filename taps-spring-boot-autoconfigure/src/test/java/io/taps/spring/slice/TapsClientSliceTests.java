package io.taps.spring.slice;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.spring.boot.test.autoconfigure.TapsTest;
import io.taps.spring.client.TapsClient;
import io.taps.spring.client.TapsClients;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

/**
 * A {@code taps.clients} client in the {@code @TapsTest} slice: the slice imports the client
 * auto-configuration, and the client reaches the slice's listener on its ephemeral port through
 * the {@code local.taps.echo.port} placeholder.
 */
@TapsTest(properties = { "taps.event-loop-threads=1", "taps.listener.execution=platform",
        "taps.profiles.default.security.enabled=false", "taps.profiles.framed.security.enabled=false",
        "taps.profiles.framed.selection.reliability=require", "taps.profiles.framed.framers=length-prefix",
        "taps.profiles.counted.security.enabled=false", "taps.profiles.counted.framers=counting",
        "taps.clients.echo.profile=framed", "taps.clients.echo.remote.host=127.0.0.1",
        "taps.clients.echo.remote.port=${local.taps.echo.port}" })
class TapsClientSliceTests {

    @Autowired
    @Qualifier("echo")
    TapsClient echo;

    @Autowired
    TapsClients clients;

    @Test
    void theSliceHasTheClientAndItTalksToTheSlicesListener() throws Exception {
        assertThat(this.clients.names()).containsExactly("echo");
        assertThat(this.echo.request("from the slice", String.class).toCompletableFuture().get(10, TimeUnit.SECONDS))
            .isEqualTo("echo: from the slice");
    }
}

package io.taps.spring.ports;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.spring.boot.test.autoconfigure.TapsTest;
import io.taps.spring.listener.LocalTapsPort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@code @TapsTest} binds listeners to ephemeral ports even when they declare a port already in use. */
@TapsTest(properties = { "taps.event-loop-threads=1", "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix" })
class TapsTestEphemeralPortsTests {
    private static final HeldPort HELD = new HeldPort();

    @DynamicPropertySource
    static void fixedPortAlreadyInUse(DynamicPropertyRegistry registry) {
        registry.add("echo.port", HELD::port);
    }

    @AfterAll
    static void release() throws Exception {
        HELD.close();
    }

    @Test
    void listenerServesOnAnEphemeralPort(@LocalTapsPort("echo") int port) throws Exception {
        assertThat(port).isPositive().isNotEqualTo(HELD.port());
        assertThat(PlainSocketEcho.exchange(port, "slice")).isEqualTo("echo: slice");
    }
}

package io.taps.spring.ports;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.spring.listener.LocalTapsPort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What a test set-up that binds listeners to ephemeral ports must show: the echo listener declares
 * a fixed port ({@code echo.port}) that a plain ServerSocket already holds, and still serves, on
 * another port. Each subclass starts the application its own way.
 */
abstract class FixedPortInUseContract {
    private static HeldPort held;

    @BeforeAll
    static void holdTheFixedPort() {
        held = new HeldPort();
    }

    @AfterAll
    static void releaseTheFixedPort() throws Exception {
        held.close();
    }

    @DynamicPropertySource
    static void fixedPortAlreadyInUse(DynamicPropertyRegistry registry) {
        // Read when the context starts, after the port was taken for this class.
        registry.add("echo.port", () -> held.port());
    }

    @Test
    void listenerServesOnAnEphemeralPort(@LocalTapsPort("echo") int port) throws Exception {
        assertThat(port).isPositive().isNotEqualTo(held.port());
        String text = getClass().getSimpleName();
        assertThat(PlainSocketEcho.exchange(port, text)).isEqualTo("echo: " + text);
    }
}

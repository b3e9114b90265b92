package io.taps.connection;

import io.taps.TransportServices;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A TransportServices per test, closed (its Connections aborted) before the leak check of
 * {@link io.taps.reliability.NettyLeakDetection} runs, so that nothing of the test stays reachable
 * and every unreleased buffer is collected and reported. The shared one of
 * {@link io.taps.testing.TapsTestSupport} keeps accepted Connections, and with them the test's
 * handlers and buffers, alive past the check.
 */
abstract class PerTestTransportServices {
    protected TransportServices taps;

    @BeforeEach
    void startTransportServices() {
        taps = TransportServices.builder().eventLoopThreads(2).shutdownTimeout(Duration.ofSeconds(1)).build();
    }

    @AfterEach
    void closeTransportServices() {
        taps.close();
        taps = null;
    }
}

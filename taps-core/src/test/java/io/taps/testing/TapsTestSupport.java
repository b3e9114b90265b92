package io.taps.testing;

import io.taps.TransportServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One real {@link TransportServices} per test class (two event loop threads, so client and server
 * sides can land on different loops as in production), closed after the class.
 */
public abstract class TapsTestSupport {
    protected static TransportServices taps;

    @BeforeAll
    static void startTransportServices() {
        taps = TransportServices.builder().eventLoopThreads(2).build();
    }

    @AfterAll
    static void closeTransportServices() {
        taps.close();
    }
}

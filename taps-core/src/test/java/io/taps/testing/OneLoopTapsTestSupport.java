package io.taps.testing;

import io.taps.TransportServices;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One real {@link TransportServices} per test class with a single event loop thread and no path
 * monitor, closed after the class: every Connection of the test, initiated or accepted, is on the
 * same loop, which tests of per-loop state (pooled Sends and Receives, idle sweeps) and of the heap
 * a Connection keeps need. {@link TapsTestSupport} is the two-loop, production-like sibling.
 */
public abstract class OneLoopTapsTestSupport {
    protected static TransportServices taps;

    @BeforeAll
    static void startTransportServices() {
        taps = TransportServices.builder().eventLoopThreads(1).pathMonitorInterval(Duration.ZERO).build();
    }

    @AfterAll
    static void closeTransportServices() {
        taps.close();
    }
}

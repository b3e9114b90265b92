package io.taps.testing;

import io.taps.TransportServices;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One real {@link TransportServices} per test class (two event loop threads) that resolves names
 * only through the class's own {@link DnsFixture} ({@link IsolatedResolution}), closed after the
 * class. Subclasses add their records in their own {@code @BeforeAll}, which JUnit runs after this
 * one and before any test resolves a name.
 */
public abstract class IsolatedResolutionTestSupport {
    protected static IsolatedResolution names;
    protected static DnsFixture dns;
    protected static TransportServices taps;

    @BeforeAll
    static void startIsolatedResolution() throws IOException {
        names = IsolatedResolution.start();
        dns = names.dns();
        taps = names.transportServices().eventLoopThreads(2).build();
    }

    @AfterAll
    static void closeIsolatedResolution() throws IOException {
        taps.close();
        names.close();
    }
}

package io.taps.interop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The tests run Kwik, the independent QUIC peer, as it runs in production: without its Java
 * assertions. Its loss detector asserts that its loss delay (9/8 of the RTT in whole milliseconds)
 * is above 0, which loopback's sub-millisecond RTT breaks: with assertions on, Kwik's receiver
 * thread threw AssertionError and the Kwik server aborted connections "due to internal error"
 * mid-test (both seen in session 18's suite, KwikQuicExtensionsInteropTest and
 * QuicListenerRejectionTest). taps' own assertions stay on.
 */
class KwikAssertionsTest {
    @Test
    void kwikRunsWithoutItsAssertionsAndTapsWithItsOwn() {
        assertThat(tech.kwik.core.recovery.LossDetector.class.desiredAssertionStatus()).as("Kwik's assertions")
                .isFalse();
        assertThat(io.taps.TransportServices.class.desiredAssertionStatus()).as("taps' assertions").isTrue();
    }
}

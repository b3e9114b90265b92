package io.taps.spring.ports;

import io.taps.spring.boot.test.autoconfigure.TapsTest;

/** {@code @TapsTest} binds listeners to ephemeral ports even when they declare a port already in use. */
@TapsTest(properties = { "taps.event-loop-threads=1", "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix" })
class TapsTestEphemeralPortsTests extends FixedPortInUseContract {
}

package io.taps.spring.ports;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * {@code @SpringBootTest(webEnvironment = RANDOM_PORT)} binds taps listeners to ephemeral ports
 * too, even when they declare a port already in use.
 */
@SpringBootTest(classes = EchoApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "taps.event-loop-threads=1", "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix" })
class RandomPortSpringBootTests extends FixedPortInUseContract {
}

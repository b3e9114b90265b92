package io.taps.spring.ports;

import io.taps.spring.listener.TapsListener;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/** An application with one length-prefix framed echo listener on {@code ${echo.port}}. */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(EchoApplication.Echo.class)
class EchoApplication {
    static class Echo {
        @TapsListener(id = "echo", profile = "framed", host = "127.0.0.1", port = "${echo.port:0}")
        String echo(String text) {
            return "echo: " + text;
        }
    }
}

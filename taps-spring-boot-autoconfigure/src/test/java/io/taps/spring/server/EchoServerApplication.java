package io.taps.spring.server;

import io.taps.spring.listener.TapsListener;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The listener-only application of the README's "Running a taps server": no web server, one YAML
 * file ({@code echo-server/application.yml}); {@link ListenerOnlyApplicationTests} runs it in a
 * child JVM.
 */
@SpringBootApplication
public class EchoServerApplication {

    @TapsListener(id = "echo", profile = "framed")
    String echo(String text) {
        return text;
    }

    public static void main(String[] args) {
        SpringApplication.run(EchoServerApplication.class, args);
    }
}

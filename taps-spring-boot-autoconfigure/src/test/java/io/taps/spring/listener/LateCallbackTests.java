package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * Connection callbacks of a bean created after the listeners started (a {@code @Lazy} one) apply
 * to the running listener, as the registrar promises for beans created later.
 */
class LateCallbackTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class,
                TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1", "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix")
        .withUserConfiguration(Echo.class, LateCallbacks.class);

    @Test
    void callbacksOfALazyBeanSeeConnectionsOfARunningListener() {
        this.contextRunner.run(context -> {
            int port = context.getBean(TapsListenerRegistry.class).listener("echo").orElseThrow().port();
            LateCallbacks callbacks = context.getBean(LateCallbacks.class);
            try (RawTestClient client = new RawTestClient()) {
                Connection connection = client.connect(port);
                assertThat(RawTestClient.exchange(connection, "late")).isEqualTo("late");
                connection.close();
                await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(callbacks.events).containsExactly("received", "closed"));
            }
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Echo {
        @TapsListener(id = "echo", profile = "framed", host = "127.0.0.1", port = "0")
        String echo(String text) {
            return text;
        }
    }

    @Component
    @Lazy
    static class LateCallbacks {
        final List<String> events = new CopyOnWriteArrayList<>();

        @TapsConnectionReceived("echo")
        void received(Connection connection) {
            this.events.add("received");
        }

        @TapsConnectionClosed("echo")
        void closed(Connection connection) {
            this.events.add("closed");
        }
    }
}

package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Message;
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

/**
 * Per Connection, the closed callback runs after the received callback and after the Message in
 * hand, even on a pool executor: an application that sets up state in the received callback and
 * cleans it up in the closed one must not see the cleanup first.
 */
class CallbackOrderTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class,
                TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1", "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix",
                "taps.listener.execution=platform")
        .withUserConfiguration(SlowCallbacks.class);

    @Test
    void closedCallbackWaitsForASlowReceivedCallback() {
        this.contextRunner.run(context -> {
            int port = context.getBean(TapsListenerRegistry.class).listener("slow").orElseThrow().port();
            SlowCallbacks callbacks = context.getBean(SlowCallbacks.class);
            try (RawTestClient client = new RawTestClient()) {
                Connection connection = client.connect(port);
                connection.abort();
                await().atMost(Duration.ofSeconds(10)).until(() -> callbacks.events.size() == 2);
            }
            assertThat(callbacks.events).containsExactly("received", "closed");
        });
    }

    @Test
    void closedCallbackWaitsForTheMessageInHand() {
        this.contextRunner.run(context -> {
            int port = context.getBean(TapsListenerRegistry.class).listener("slow").orElseThrow().port();
            SlowCallbacks callbacks = context.getBean(SlowCallbacks.class);
            try (RawTestClient client = new RawTestClient()) {
                Connection connection = client.connect(port);
                await().atMost(Duration.ofSeconds(10)).until(() -> callbacks.events.size() == 1);
                connection.send(Message.of("slow"));
                await().atMost(Duration.ofSeconds(10)).until(() -> callbacks.events.size() == 2);
                connection.abort();
                await().atMost(Duration.ofSeconds(10)).until(() -> callbacks.events.size() == 4);
            }
            assertThat(callbacks.events).containsExactly("received", "handling", "handled", "closed");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class SlowCallbacks {
        final List<String> events = new CopyOnWriteArrayList<>();

        @TapsListener(id = "slow", profile = "framed", host = "127.0.0.1", port = "0")
        void handle(String text) throws InterruptedException {
            this.events.add("handling");
            Thread.sleep(500);
            this.events.add("handled");
        }

        @TapsConnectionReceived("slow")
        void received(Connection connection) throws InterruptedException {
            Thread.sleep(500);
            this.events.add("received");
        }

        @TapsConnectionClosed("slow")
        void closed(Connection connection) {
            this.events.add("closed");
        }
    }
}

package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Message;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An error handler that itself throws must not leave the Connection without a Receive: the
 * listener keeps serving it (the {@link TapsListenerErrorHandler} contract).
 */
class ThrowingErrorHandlerTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class,
                TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1", "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix")
        .withUserConfiguration(ThrowingErrorHandler.class);

    @Test
    void connectionIsStillServedAfterTheErrorHandlerThrowsForAHandlerException() {
        this.contextRunner.withUserConfiguration(FailingOnBoom.class).run(context -> {
            int port = context.getBean(TapsListenerRegistry.class).listener("boom").orElseThrow().port();
            try (RawTestClient client = new RawTestClient()) {
                Connection connection = client.connect(port);
                connection.send(Message.of("boom"));
                assertThat(RawTestClient.exchange(connection, "after")).isEqualTo("after");
                connection.close();
            }
            assertThat(context.getBean(ThrowingErrorHandler.class).seen).containsExactly("boom");
        });
    }

    @Test
    void connectionIsStillServedAfterTheErrorHandlerThrowsForAConnectionCallback() {
        this.contextRunner.withUserConfiguration(FailingOnBoom.class, FailingReceivedCallback.class).run(context -> {
            int port = context.getBean(TapsListenerRegistry.class).listener("boom").orElseThrow().port();
            try (RawTestClient client = new RawTestClient()) {
                Connection connection = client.connect(port);
                assertThat(RawTestClient.exchange(connection, "first")).isEqualTo("first");
                connection.close();
            }
            assertThat(context.getBean(ThrowingErrorHandler.class).seen).containsExactly("callback");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class ThrowingErrorHandler {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Bean
        TapsListenerErrorHandler throwingErrorHandler() {
            return (String id, Connection connection, @Nullable Message message, Throwable error) -> {
                this.seen.add(message == null ? "callback" : message.asString());
                throw new IllegalStateException("error handler fails too");
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class FailingOnBoom {
        @TapsListener(id = "boom", profile = "framed", host = "127.0.0.1", port = "0")
        String handle(String text) {
            if (text.equals("boom")) {
                throw new IllegalArgumentException("boom");
            }
            return text;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class FailingReceivedCallback {
        @TapsConnectionReceived("boom")
        void received(Connection connection) {
            throw new IllegalStateException("callback fails");
        }
    }
}

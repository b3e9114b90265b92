package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Message;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A {@link TapsListenerObserver} that throws (a buggy metrics or tracing hook, for example an
 * ObservationHandler behind {@code TapsListenerObservations}) must neither strand the Connection
 * it observes nor keep the graceful stop from completing.
 */
class ThrowingObserverTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class,
                TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1", "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix")
        .withUserConfiguration(Echo.class, ThrowingObserver.class);

    @Test
    void connectionIsServedAndGracefulStopCompletesThoughEveryObserverCallThrows() {
        this.contextRunner.run(context -> {
            TapsListenerRegistry registry = context.getBean(TapsListenerRegistry.class);
            int port = registry.listener("echo").orElseThrow().port();
            try (RawTestClient client = new RawTestClient()) {
                Connection connection = client.connect(port);
                assertThat(RawTestClient.exchange(connection, "one")).isEqualTo("one");
                assertThat(RawTestClient.exchange(connection, "two")).isEqualTo("two");
                CountDownLatch stopped = new CountDownLatch(1);
                registry.stop(stopped::countDown);
                assertThat(stopped.await(10, TimeUnit.SECONDS)).as("graceful stop completed").isTrue();
            }
            assertThat(context.getBean(ThrowingObserver.class).calls).hasValueGreaterThanOrEqualTo(6);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Echo {
        @TapsListener(id = "echo", profile = "framed", host = "127.0.0.1", port = "0")
        String echo(String text) {
            return text;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ThrowingObserver {
        final AtomicInteger calls = new AtomicInteger();

        @Bean
        TapsListenerObserver throwingObserver() {
            return new TapsListenerObserver() {
                @Override
                public void connectionReceived(RunningTapsListener listener, Connection connection) {
                    fail();
                }

                @Override
                public void connectionClosed(RunningTapsListener listener, Connection connection,
                        @Nullable Throwable error) {
                    fail();
                }

                @Override
                public void messageHandlingStarted(RunningTapsListener listener, Connection connection,
                        Message message) {
                    fail();
                }

                @Override
                public void messageHandled(RunningTapsListener listener, Connection connection, Message message,
                        long nanos, @Nullable Throwable error) {
                    fail();
                }
            };
        }

        private void fail() {
            this.calls.incrementAndGet();
            throw new IllegalStateException("observer fails");
        }
    }
}

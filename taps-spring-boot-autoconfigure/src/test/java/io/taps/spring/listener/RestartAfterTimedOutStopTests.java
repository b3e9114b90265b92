package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Message;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * A context stopped while a handler never finished (the graceful stop gave up after
 * {@code spring.lifecycle.timeout-per-shutdown-phase}) and started again serves on a fresh
 * Listener, instead of handing back the stopped one that accepts nothing.
 */
class RestartAfterTimedOutStopTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class,
                LifecycleAutoConfiguration.class, TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class))
        .withUserConfiguration(StuckOnce.class)
        .withPropertyValues("taps.event-loop-threads=1", "taps.listener.execution=platform",
                "taps.profiles.framed.security.enabled=false",
                "taps.profiles.framed.framers=length-prefix", "spring.lifecycle.timeout-per-shutdown-phase=300ms");

    @Test
    void startAfterATimedOutStopListensAgain() {
        this.contextRunner.run(context -> {
            StuckOnce stuck = context.getBean(StuckOnce.class);
            TapsListenerRegistry registry = context.getBean(TapsListenerRegistry.class);
            try (RawTestClient client = new RawTestClient()) {
                Connection first = client.connect(registry.listener("echo").orElseThrow().port());
                first.send(Message.of("stuck"));
                assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).isTrue();
                context.stop();
                assertThat(registry.isRunning()).isFalse();
                context.start();
                assertThat(registry.isRunning()).isTrue();
                Connection second = client.connect(registry.listener("echo").orElseThrow().port());
                assertThat(RawTestClient.exchange(second, "again")).isEqualTo("again");
                second.close();
            }
            finally {
                stuck.release.countDown();
            }
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class StuckOnce {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @TapsListener(id = "echo", profile = "framed", host = "127.0.0.1", port = "0")
        String handle(String text) throws InterruptedException {
            if (text.equals("stuck")) {
                this.entered.countDown();
                this.release.await(60, TimeUnit.SECONDS);
            }
            return text;
        }
    }
}

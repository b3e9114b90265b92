package io.taps.spring.listener;

import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * A length-prefix framed listener whose handler holds each Message until the test releases it, so
 * a test can stop the application while Messages are in flight (the shutdown tests).
 */
@Configuration(proxyBeanMethods = false)
class GatedListener {
    static final String ID = "gated";

    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @TapsListener(id = ID, profile = "framed", host = "127.0.0.1", port = "0")
    String handle(String text) throws InterruptedException {
        this.entered.countDown();
        this.release.await(60, TimeUnit.SECONDS);
        return "done: " + text;
    }

    /** taps' auto-configuration with Boot's lifecycle (its shutdown phases) and this listener on handler threads. */
    static ApplicationContextRunner contextRunner() {
        return new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class,
                    LifecycleAutoConfiguration.class, TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class))
            .withUserConfiguration(GatedListener.class)
            .withPropertyValues("taps.event-loop-threads=1", "taps.listener.execution=platform",
                    "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix");
    }
}

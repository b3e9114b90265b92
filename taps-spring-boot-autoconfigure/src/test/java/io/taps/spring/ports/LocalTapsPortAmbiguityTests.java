package io.taps.spring.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import io.taps.spring.listener.LocalTapsPort;
import io.taps.spring.listener.TapsListener;
import io.taps.spring.listener.TapsListenerRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.AutowiredAnnotationBeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code @LocalTapsPort} without an id in an application with two listeners names them. */
class LocalTapsPortAmbiguityTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class,
                TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1", "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix")
        .withUserConfiguration(TwoListeners.class);

    @Test
    void withoutAnIdTheInjectionFailsNamingTheListeners() {
        this.contextRunner.run(context -> {
            AutowiredAnnotationBeanPostProcessor injector = new AutowiredAnnotationBeanPostProcessor();
            injector.setBeanFactory(context.getBeanFactory());
            assertThatException().isThrownBy(() -> injector.processInjection(new WithoutId()))
                .withRootCauseInstanceOf(IllegalStateException.class)
                .havingRootCause()
                .withMessageContaining("local.taps.port (@LocalTapsPort without an id) is ambiguous")
                .withMessageContaining("[alpha, beta]")
                .withMessageContaining("@LocalTapsPort(\"<id>\")");
            WithIds withIds = new WithIds();
            injector.processInjection(withIds);
            TapsListenerRegistry registry = context.getBean(TapsListenerRegistry.class);
            assertThat(withIds.alpha).isEqualTo(registry.listener("alpha").orElseThrow().port());
            assertThat(withIds.beta).isEqualTo(registry.listener("beta").orElseThrow().port());
        });
    }

    static class WithoutId {
        @LocalTapsPort
        int port;
    }

    static class WithIds {
        @LocalTapsPort("alpha")
        int alpha;

        @LocalTapsPort("beta")
        int beta;
    }

    static class TwoListeners {
        @TapsListener(id = "alpha", profile = "framed", host = "127.0.0.1", port = "0")
        String alpha(String text) {
            return text;
        }

        @TapsListener(id = "beta", profile = "framed", host = "127.0.0.1", port = "0")
        String beta(String text) {
            return text;
        }
    }
}

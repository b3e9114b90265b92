package io.taps.spring.ports;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import io.taps.spring.listener.TapsListenerRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code taps.listener.port-override=0}: two contexts whose listener declares the same fixed port,
 * a port a plain ServerSocket already holds, both run and serve.
 */
class PortOverrideTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class,
                TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1", "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix")
        .withUserConfiguration(EchoApplication.Echo.class);

    @Test
    void twoContextsWithTheSameFixedListenerPortBothServe() throws Exception {
        try (HeldPort held = new HeldPort()) {
            ApplicationContextRunner fixedPort = this.contextRunner.withPropertyValues("echo.port=" + held.port(),
                    "taps.listener.port-override=0");
            fixedPort.run(first -> fixedPort.run(second -> {
                assertThat(first).hasNotFailed();
                assertThat(second).hasNotFailed();
                int firstPort = first.getBean(TapsListenerRegistry.class).listener("echo").orElseThrow().port();
                int secondPort = second.getBean(TapsListenerRegistry.class).listener("echo").orElseThrow().port();
                assertThat(firstPort).isPositive().isNotEqualTo(held.port()).isNotEqualTo(secondPort);
                assertThat(first.getEnvironment().getProperty("local.taps.echo.port", Integer.class)).isEqualTo(firstPort);
                assertThat(PlainSocketEcho.exchange(firstPort, "first")).isEqualTo("echo: first");
                assertThat(PlainSocketEcho.exchange(secondPort, "second")).isEqualTo("echo: second");
            }));
        }
    }

    @Test
    void withoutTheOverrideTheFixedPortIsUsed() throws Exception {
        try (HeldPort held = new HeldPort()) {
            this.contextRunner.withPropertyValues("echo.port=" + held.port())
                .run(context -> assertThat(context).getFailure()
                    .cause()
                    .hasMessageContaining("taps listener 'echo'")
                    .hasMessageContaining(Integer.toString(held.port())));
        }
    }

    @Test
    void anOutOfRangeOverrideFailsNamingTheKey() {
        this.contextRunner.withPropertyValues("taps.listener.port-override=70000")
            .run(context -> assertThat(context).getFailure()
                .rootCause()
                .hasMessageContaining("taps.listener.port-override must be between 0 and 65535"));
    }
}

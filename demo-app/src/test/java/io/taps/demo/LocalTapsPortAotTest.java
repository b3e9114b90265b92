package io.taps.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.spring.listener.LocalTapsPort;
import io.taps.spring.listener.TapsListenerRegistry;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.aot.AotDetector;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code @LocalTapsPort} on a field and on a test-method parameter of the real demo, in the mode the
 * build runs this class in: surefire's default execution runs it as usual, its {@code aot-tests}
 * execution (demo-app/pom.xml) with {@code spring.aot.enabled=true} on the context that
 * {@code spring-boot:process-test-aot} generated, where test instances get only
 * {@code AutowiredAnnotationBeanPostProcessor} injection.
 * {@link DemoRuntimeHintsTest} checks the hints the same processing wrote.
 */
// Not DemoApplicationTest's configuration: sharing its cached context breaks it, because Spring 7
// pauses a cached context between test classes (its listeners stop, and rebind on other ephemeral
// ports when resumed) while the demo's ChatClient connects only once, at start-up.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "demo.client.enabled=false")
class LocalTapsPortAotTest {

    /** Set by the aot-tests execution, so that a run meant to be AOT cannot silently be a plain one. */
    static final String EXPECT_AOT = "demo.test.expect-aot";

    @LocalTapsPort("echo")
    int echoPort;

    @Autowired
    TapsListenerRegistry listeners;

    @Autowired
    ConfigurableApplicationContext context;

    @Test
    void runsInTheModeTheExecutionAsksFor() {
        boolean expectAot = Boolean.getBoolean(EXPECT_AOT);
        assertThat(AotDetector.useGeneratedArtifacts()).isEqualTo(expectAot);
        // A context built by the generated initializer registers generated bean definitions, each
        // with an instance supplier; component scanning registers none.
        BeanDefinition handlers = this.context.getBeanFactory().getBeanDefinition("demoListeners");
        assertThat(handlers instanceof RootBeanDefinition root && root.getInstanceSupplier() != null)
            .as("bean definitions generated ahead of time").isEqualTo(expectAot);
    }

    @Test
    void fieldHoldsTheEphemeralPortTheEchoListenerServesOn() throws Exception {
        assertThat(this.echoPort).isPositive()
            .isEqualTo(this.listeners.listener("echo").orElseThrow().port());
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.echoPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("aot".getBytes(StandardCharsets.UTF_8));
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("aot");
        }
    }

    @Test
    void parameterHoldsThePortOfTheListenerItNames(@LocalTapsPort("chat") int chatPort,
            @LocalTapsPort("chat-quic") Integer quicPort) {
        assertThat(chatPort).isPositive()
            .isEqualTo(this.listeners.listener("chat").orElseThrow().port());
        assertThat(quicPort).isPositive()
            .isEqualTo(this.listeners.listener("chat-quic").orElseThrow().port());
    }
}

package io.taps.spring.ports;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.spring.listener.LocalTapsPort;
import io.taps.spring.listener.TapsListenerRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.AutowiredAnnotationBeanPostProcessor;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code @LocalTapsPort} on a field, a setter and a test-method parameter of a
 * {@code @SpringBootTest}, each answered by a real TCP exchange with a plain {@code java.net}
 * client, and the injection AOT test instances get.
 */
@SpringBootTest(classes = EchoApplication.class,
        properties = { "taps.event-loop-threads=1", "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix" })
class LocalTapsPortSpringBootTests {
    @LocalTapsPort
    int singlePort;

    @LocalTapsPort("echo")
    Integer echoPort;

    String portFromSetter;

    @Autowired
    TapsListenerRegistry registry;

    @Autowired
    ConfigurableApplicationContext context;

    @LocalTapsPort("echo")
    void setPort(String port) {
        this.portFromSetter = port;
    }

    @Test
    void testMethodParameterCarriesTheBoundPort(@LocalTapsPort("echo") int port, @LocalTapsPort long single)
            throws Exception {
        assertThat(port).isEqualTo(this.registry.listener("echo").orElseThrow().port()).isPositive();
        assertThat(single).isEqualTo(port);
        assertThat(PlainSocketEcho.exchange(port, "parameter")).isEqualTo("echo: parameter");
    }

    @Test
    void fieldsAndSetterCarryTheBoundPort() throws Exception {
        int bound = this.registry.listener("echo").orElseThrow().port();
        assertThat(this.singlePort).isEqualTo(bound);
        assertThat(this.echoPort).isEqualTo(bound);
        assertThat(this.portFromSetter).isEqualTo(Integer.toString(bound));
        assertThat(PlainSocketEcho.exchange(this.echoPort, "field")).isEqualTo("echo: field");
    }

    @Test
    void aotTestInstanceInjectionFillsThePort() throws Exception {
        // What spring-test's DependencyInjectionTestExecutionListener does to a test instance in
        // AOT mode: AutowiredAnnotationBeanPostProcessor.processInjection, no other post-processor.
        AutowiredAnnotationBeanPostProcessor injector = new AutowiredAnnotationBeanPostProcessor();
        injector.setBeanFactory(this.context.getBeanFactory());
        AotInstance instance = new AotInstance();
        injector.processInjection(instance);
        int bound = this.registry.listener("echo").orElseThrow().port();
        assertThat(instance.port).isEqualTo(bound);
        assertThat(PlainSocketEcho.exchange(instance.port, "aot")).isEqualTo("echo: aot");
    }

    static class AotInstance {
        @LocalTapsPort("echo")
        int port;
    }
}

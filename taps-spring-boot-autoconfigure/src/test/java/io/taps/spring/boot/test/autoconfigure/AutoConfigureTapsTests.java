package io.taps.spring.boot.test.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.TransportServices;
import io.taps.spring.boot.autoconfigure.TapsProfiles;
import io.taps.spring.listener.TapsListenerRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;

/** {@link AutoConfigureTaps} brings the taps auto-configuration into a context that has none. */
@SpringBootTest(classes = AutoConfigureTapsTests.Plain.class,
        properties = { "taps.event-loop-threads=1", "taps.profiles.chat.security.enabled=false", "taps.profiles.chat.framers=line" })
@AutoConfigureTaps
class AutoConfigureTapsTests {

    @Autowired
    ApplicationContext context;

    @Test
    void importsTheTapsAutoConfiguration() {
        assertThat(this.context.getBeanNamesForType(TransportServices.class)).hasSize(1);
        assertThat(this.context.getBeanNamesForType(TapsListenerRegistry.class)).hasSize(1);
        assertThat(this.context.getBean(TapsProfiles.class).get("chat").framerNames()).containsExactly("line");
    }

    @Configuration(proxyBeanMethods = false)
    static class Plain {
    }
}

package io.taps.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.spring.listener.TapsListenerRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The demo on a platform without Netty's QUIC natives: {@code demo.quic.enabled=false} leaves the
 * QUIC chat listener and client out, and the rest of the demo still starts and serves.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = { "demo.echo.port=0", "demo.chat.port=0", "demo.chat-quic.port=0", "demo.client.period=300ms",
                "demo.quic.enabled=false" })
class DemoWithoutQuicTest {

    @Autowired
    TapsListenerRegistry listeners;

    @Test
    void startsWithoutTheQuicListener() {
        assertThat(listeners.listener("chat-quic")).isEmpty();
        assertThat(listeners.listener("echo")).isPresent();
        await().atMost(10, TimeUnit.SECONDS).until(() -> listeners.listener("chat").orElseThrow()
                .activeConnections() > 0);
    }
}

package io.taps.spring.boot.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import io.taps.spring.boot.autoconfigure.metrics.TapsMetricsAutoConfiguration;
import io.taps.spring.listener.TapsListener;
import io.taps.spring.listener.TapsListenerRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * The handler figures of a {@code @TapsListener} (Messages in flight, handled, failed, last error)
 * as meters tagged {@code taps.listener.id} and in the listener's entry of {@code /actuator/taps},
 * driven by a plain socket peer: a Message held in the handler is in flight, a failing one counts
 * as failed with its exception as the last error.
 */
@ExtendWith(OutputCaptureExtension.class)
class ListenerHandlerFiguresTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class,
                TapsMetricsAutoConfiguration.class, TapsEndpointAutoConfiguration.class))
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withUserConfiguration(GatedListener.class)
        .withPropertyValues("taps.event-loop-threads=1", "management.endpoints.web.exposure.include=taps",
                "taps.profiles.chat.security.enabled=false", "taps.profiles.chat.framers=length-prefix");

    @Configuration(proxyBeanMethods = false)
    static class GatedListener {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @TapsListener(id = "figures", profile = "chat", host = "127.0.0.1", port = "0")
        String onMessage(String text) throws InterruptedException {
            if (text.equals("hold")) {
                this.entered.countDown();
                this.release.await(30, TimeUnit.SECONDS);
            }
            if (text.equals("fail")) {
                throw new IllegalStateException("figures failure");
            }
            return text;
        }
    }

    @Test
    void inFlightHandledFailedAndLastErrorAreMetersAndEndpointFields() throws Exception {
        runner.run(context -> {
            GatedListener gated = context.getBean(GatedListener.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            TapsEndpoint endpoint = context.getBean(TapsEndpoint.class);
            int port = context.getBean(TapsListenerRegistry.class).listener("figures").orElseThrow().port();
            assertThat(handler(endpoint)).isEqualTo(new ListenerDescriptor.HandlerDescriptor(0, 0, 0, null));
            Instant before = Instant.now();
            try (Socket holding = connect(port); Socket other = connect(port)) {
                write(holding, "hold");
                assertThat(gated.entered.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(meters.get("taps.listener.messages.in.flight").tag("taps.listener.id", "figures").gauge()
                    .value()).isEqualTo(1.0);
                assertThat(handler(endpoint).inFlight()).isEqualTo(1);
                write(other, "fail");
                write(other, "fine");
                assertThat(read(other)).isEqualTo("fine");
                gated.release.countDown();
                assertThat(read(holding)).isEqualTo("hold");
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(meters.get("taps.listener.messages.in.flight").tag("taps.listener.id", "figures").gauge()
                    .value()).isZero();
                assertThat(meters.get("taps.listener.messages.handled").tag("taps.listener.id", "figures")
                    .functionCounter().count()).isEqualTo(2.0);
                assertThat(meters.get("taps.listener.messages.failed").tag("taps.listener.id", "figures")
                    .functionCounter().count()).isEqualTo(1.0);
            });
            ListenerDescriptor.HandlerDescriptor handler = handler(endpoint);
            assertThat(handler.inFlight()).isZero();
            assertThat(handler.handled()).isEqualTo(2);
            assertThat(handler.failed()).isEqualTo(1);
            assertThat(handler.lastError()).isNotNull();
            assertThat(handler.lastError().type()).isEqualTo(IllegalStateException.class.getName());
            assertThat(handler.lastError().message()).isEqualTo("figures failure");
            assertThat(Instant.parse(handler.lastError().time())).isBetween(before, Instant.now());
        });
    }

    /**
     * A listener stopped and started again in the same context keeps its figures, so its meters are
     * the same: registered once, still counting, and Micrometer is never asked to register them twice
     * (it warns about each such gauge).
     */
    @Test
    void restartingTheListenerKeepsOneSetOfMetersWithoutDuplicateRegistration(CapturedOutput output) {
        runner.run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            context.stop();
            context.start();
            int port = context.getBean(TapsListenerRegistry.class).listener("figures").orElseThrow().port();
            try (Socket socket = connect(port)) {
                write(socket, "after restart");
                assertThat(read(socket)).isEqualTo("after restart");
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(meters
                .get("taps.listener.messages.handled").tag("taps.listener.id", "figures").functionCounter().count())
                .isEqualTo(1.0));
            assertThat(meters.find("taps.listener.messages.in.flight").gauges()).hasSize(1);
            assertThat(meters.find("taps.listener.messages.handled").functionCounters()).hasSize(1);
            assertThat(meters.find("taps.listener.messages.failed").functionCounters()).hasSize(1);
        });
        assertThat(output.getAll()).doesNotContain("already registered");
    }

    private static ListenerDescriptor.HandlerDescriptor handler(TapsEndpoint endpoint) {
        return endpoint.taps().listeners().stream().filter(listener -> listener.id().equals("figures")).findFirst()
            .orElseThrow().handler();
    }

    private static Socket connect(int port) throws Exception {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static void write(Socket socket, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
    }

    private static String read(Socket socket) throws Exception {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

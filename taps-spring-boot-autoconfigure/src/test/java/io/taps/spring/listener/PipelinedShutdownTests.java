package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Message;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/**
 * Messages a client pipelined (sent before the previous reply came) that taps already received
 * when the application stops are answered, not dropped; each listener logs when its drain starts
 * and ends, as Boot's web servers do.
 */
@ExtendWith(OutputCaptureExtension.class)
class PipelinedShutdownTests {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class,
                LifecycleAutoConfiguration.class, TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class))
        .withUserConfiguration(GatedListener.class)
        .withPropertyValues("taps.event-loop-threads=1", "taps.listener.execution=platform",
                "taps.profiles.framed.security.enabled=false",
                "taps.profiles.framed.framers=length-prefix", "spring.lifecycle.timeout-per-shutdown-phase=20s");

    @Test
    void pipelinedMessagesReceivedBeforeShutdownAreAllAnswered(CapturedOutput output) {
        this.contextRunner.run(context -> {
            GatedListener gated = context.getBean(GatedListener.class);
            RunningTapsListener listener = context.getBean(TapsListenerRegistry.class).listener("gated").orElseThrow();
            try (TapsClient client = new TapsClient()) {
                Connection connection = client.connect(listener.port());
                List<CompletableFuture<Message>> replies = new ArrayList<>();
                for (int i = 1; i <= 4; i++) {
                    connection.send(Message.of("m" + i));
                }
                for (int i = 1; i <= 4; i++) {
                    replies.add(connection.receive().toCompletableFuture());
                }
                assertThat(gated.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                // all four are in the server's hands before the shutdown starts
                await().atMost(WAIT)
                    .until(() -> listener.connections().get(0).transferReport().messagesReceived() == 4);

                CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
                await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(output.getOut())
                        .contains("Commencing graceful shutdown of taps listener 'gated'. Waiting for 1 active "
                                + "connection(s) to complete"));
                assertThat(output.getOut()).doesNotContain("Graceful shutdown of taps listener 'gated' complete");
                gated.release.countDown();

                for (int i = 1; i <= 4; i++) {
                    assertThat(replies.get(i - 1).get(WAIT.toSeconds(), TimeUnit.SECONDS).asString())
                        .isEqualTo("done: m" + i);
                }
                closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(output.getOut()).contains("Graceful shutdown of taps listener 'gated' complete")
                    .doesNotContain("not handled");
            }
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class GatedListener {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @TapsListener(id = "gated", profile = "framed", host = "127.0.0.1", port = "0")
        String handle(String text) throws InterruptedException {
            this.entered.countDown();
            this.release.await(60, TimeUnit.SECONDS);
            return "done: " + text;
        }
    }
}

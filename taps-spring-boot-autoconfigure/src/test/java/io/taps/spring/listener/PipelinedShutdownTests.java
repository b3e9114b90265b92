package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Messages a client pipelined (sent before the previous reply came) that taps already received
 * when the application stops are answered, not dropped; each listener logs when its drain starts
 * and ends, as Boot's web servers do.
 */
@ExtendWith(OutputCaptureExtension.class)
class PipelinedShutdownTests {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ApplicationContextRunner contextRunner = GatedListener.contextRunner()
        .withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=20s");

    @Test
    void pipelinedMessagesReceivedBeforeShutdownAreAllAnswered(CapturedOutput output) {
        this.contextRunner.run(context -> {
            GatedListener gated = context.getBean(GatedListener.class);
            RunningTapsListener listener = context.getBean(TapsListenerRegistry.class).listener(GatedListener.ID).orElseThrow();
            try (RawTestClient client = new RawTestClient()) {
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
}

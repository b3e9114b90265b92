package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.properties.ConnectionState;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Graceful shutdown of {@link TapsListenerRegistry}: closing the context stops accepting, lets the
 * Message in flight be handled and answered, then closes; a handler that never finishes is cut off
 * after {@code spring.lifecycle.timeout-per-shutdown-phase}.
 */
class GracefulShutdownTests {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ApplicationContextRunner contextRunner = GatedListener.contextRunner();

    @Test
    void messageInFlightDuringShutdownStillGetsItsReply() {
        this.contextRunner.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=20s").run(context -> {
            GatedListener gated = context.getBean(GatedListener.class);
            int port = context.getBean(TapsListenerRegistry.class).listener(GatedListener.ID).orElseThrow().port();
            try (RawTestClient client = new RawTestClient()) {
                Connection connection = client.connect(port);
                connection.send(Message.of("in flight"));
                CompletableFuture<Message> reply = connection.receive().toCompletableFuture();
                assertThat(gated.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

                CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
                // once shutdown began, the listener accepts no new connection
                await().atMost(WAIT).until(() -> !context.getBean(TapsListenerRegistry.class).isRunning());
                await().atMost(WAIT).untilAsserted(() -> assertThat(refused(port)).isTrue());
                assertThat(closing).isNotDone();

                gated.release.countDown();
                assertThat(reply.get(WAIT.toSeconds(), TimeUnit.SECONDS).asString()).isEqualTo("done: in flight");
                connection.close();
                closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> connection.state() == ConnectionState.CLOSED);
            }
        });
    }

    @Test
    void handlerThatNeverFinishesIsCutOffAfterThePhaseTimeout() {
        this.contextRunner.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=500ms").run(context -> {
            GatedListener gated = context.getBean(GatedListener.class);
            int port = context.getBean(TapsListenerRegistry.class).listener(GatedListener.ID).orElseThrow().port();
            try (RawTestClient client = new RawTestClient()) {
                Connection connection = client.connect(port);
                connection.send(Message.of("stuck"));
                assertThat(gated.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
                closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                // the server aborted the connection it could not drain in time
                await().atMost(WAIT).until(() -> connection.state() == ConnectionState.CLOSED);
                gated.release.countDown();
            }
        });
    }

    private static boolean refused(int port) throws Exception {
        try (TransportServices services = TransportServices.builder().eventLoopThreads(1).build()) {
            CompletableFuture<Boolean> outcome = new CompletableFuture<>();
            Connection attempt = services.preconnection()
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                .properties(TransportProperties.reliableMessage())
                .security(SecurityParameters.disabled())
                .framer(LengthPrefixFramer.factory(4))
                .build()
                .initiate(new ConnectionEventHandler() {
                    @Override
                    public void ready(Connection connection) {
                        outcome.complete(false);
                        connection.abort();
                    }

                    @Override
                    public void establishmentError(Connection connection, TransportServicesException error) {
                        outcome.complete(true);
                    }
                });
            try {
                return outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            finally {
                attempt.abort();
            }
        }
    }
}

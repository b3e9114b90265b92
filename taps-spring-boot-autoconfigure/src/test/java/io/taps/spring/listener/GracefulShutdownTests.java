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
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * Graceful shutdown of {@link TapsListenerRegistry}: closing the context stops accepting, lets the
 * Message in flight be handled and answered, then closes; a handler that never finishes is cut off
 * after {@code spring.lifecycle.timeout-per-shutdown-phase}.
 */
class GracefulShutdownTests {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class,
                LifecycleAutoConfiguration.class, TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class))
        .withUserConfiguration(SlowListener.class)
        .withPropertyValues("taps.event-loop-threads=1", "taps.listener.execution=platform",
                "taps.profiles.framed.security.enabled=false",
                "taps.profiles.framed.framers=length-prefix");

    @Test
    void messageInFlightDuringShutdownStillGetsItsReply() {
        this.contextRunner.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=20s").run(context -> {
            SlowListener slow = context.getBean(SlowListener.class);
            int port = context.getBean(TapsListenerRegistry.class).listener("slow").orElseThrow().port();
            try (TapsClient client = new TapsClient()) {
                Connection connection = client.connect(port);
                connection.send(Message.of("in flight"));
                CompletableFuture<Message> reply = connection.receive().toCompletableFuture();
                assertThat(slow.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

                CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
                // once shutdown began, the listener accepts no new connection
                await().atMost(WAIT).until(() -> !context.getBean(TapsListenerRegistry.class).isRunning());
                await().atMost(WAIT).untilAsserted(() -> assertThat(refused(port)).isTrue());
                assertThat(closing).isNotDone();

                slow.release.countDown();
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
            SlowListener slow = context.getBean(SlowListener.class);
            int port = context.getBean(TapsListenerRegistry.class).listener("slow").orElseThrow().port();
            try (TapsClient client = new TapsClient()) {
                Connection connection = client.connect(port);
                connection.send(Message.of("stuck"));
                assertThat(slow.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
                closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                // the server aborted the connection it could not drain in time
                await().atMost(WAIT).until(() -> connection.state() == ConnectionState.CLOSED);
                slow.release.countDown();
            }
        });
    }

    private static boolean refused(int port) throws Exception {
        try (TransportServices services = TransportServices.builder().eventLoopThreads(1).build()) {
            CompletableFuture<Boolean> outcome = new CompletableFuture<>();
            Connection attempt = services.preconnection().security(SecurityParameters.disabled())
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                .properties(TransportProperties.reliableMessage())
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

    @Configuration(proxyBeanMethods = false)
    static class SlowListener {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @TapsListener(id = "slow", profile = "framed", host = "127.0.0.1", port = "0")
        String handle(String text) throws InterruptedException {
            this.entered.countDown();
            this.release.await(60, TimeUnit.SECONDS);
            return "done: " + text;
        }
    }
}

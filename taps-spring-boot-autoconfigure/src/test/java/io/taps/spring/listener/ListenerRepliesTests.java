package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Message;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsConversionAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Replies from {@code Flux}, {@code Mono} and {@code CompletionStage} return values, one per
 * element and in order, seen by a plain JDK socket peer; and replies that cannot be Sent (a framer
 * with a 64-byte limit rejects them) reach the error handler instead of vanishing, while the
 * Connection keeps being served.
 */
class ListenerRepliesTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, TapsAutoConfiguration.class,
                TapsConversionAutoConfiguration.class, TapsListenerAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1", "taps.listener.execution=platform",
                "taps.profiles.chat.security.enabled=false",
                "taps.profiles.chat.framers=small", "taps.framers.small.type=length-prefix",
                "taps.framers.small.max-message-size=64B")
        .withUserConfiguration(Handlers.class, RecordingErrorHandler.class);

    record Part(int index, String of) {
    }

    @Configuration(proxyBeanMethods = false)
    static class Handlers {
        // README "Typed messages": a Flux answers with one reply per element, in order.
        @TapsListener(id = "parts", profile = "chat", host = "127.0.0.1", port = "0")
        Flux<Part> parts(String text) {
            return Flux.range(1, 3).publishOn(Schedulers.parallel()).map(index -> new Part(index, text));
        }

        @TapsListener(id = "async", profile = "chat", host = "127.0.0.1", port = "0")
        CompletionStage<Part> async(String text) {
            return CompletableFuture.supplyAsync(() -> new Part(text.length(), text));
        }

        /** "quiet" sends nothing (an empty Mono); "big" a reply the framer refuses; others an echo. */
        @TapsListener(id = "mono", profile = "chat", host = "127.0.0.1", port = "0")
        Mono<String> mono(String text) {
            return switch (text) {
                case "quiet" -> Mono.empty();
                case "big" -> Mono.just("x".repeat(100));
                default -> Mono.just(text);
            };
        }

        /** The second of three replies is too big for the framer: the first is Sent, the rest cancelled. */
        @TapsListener(id = "broken", profile = "chat", host = "127.0.0.1", port = "0")
        Flux<String> broken(String text) {
            return Flux.just(text + "-1", "x".repeat(100), text + "-3");
        }

        /** Fails on a common-pool thread, after the handler returned. */
        @TapsListener(id = "late", profile = "chat", host = "127.0.0.1", port = "0")
        CompletionStage<String> late(String text) {
            return CompletableFuture.supplyAsync(() -> {
                throw new IllegalStateException("late " + text);
            });
        }

        @TapsListener(id = "plain", profile = "chat", host = "127.0.0.1", port = "0")
        @Nullable String plain(String text) {
            return text.equals("big") ? "y".repeat(100) : text.equals("none") ? null : text;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class RecordingErrorHandler {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Bean
        TapsListenerErrorHandler recordingErrorHandler() {
            return (String id, Connection connection, @Nullable Message message, Throwable error) -> {
                this.threads.add(Thread.currentThread().getName());
                this.seen.add(id + ":" + (message == null ? null : message.asString()) + ":" + error.getClass().getSimpleName()
                        + ":" + (error.getCause() == null ? null : error.getCause().getClass().getSimpleName()));
            };
        }
    }

    @Test
    void aFluxAnswersWithOneReplyPerElementInOrder() {
        this.contextRunner.run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, "parts"))) {
                client.send("a");
                client.send("b");
                assertThat(List.of(client.receive(), client.receive(), client.receive(), client.receive(),
                        client.receive(), client.receive()))
                    .containsExactly("{\"index\":1,\"of\":\"a\"}", "{\"index\":2,\"of\":\"a\"}",
                            "{\"index\":3,\"of\":\"a\"}", "{\"index\":1,\"of\":\"b\"}", "{\"index\":2,\"of\":\"b\"}",
                            "{\"index\":3,\"of\":\"b\"}");
            }
            assertThat(context.getBean(RecordingErrorHandler.class).seen).isEmpty();
        });
    }

    @Test
    void aCompletionStageOfARecordAnswersWithTheRecord() {
        this.contextRunner.run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, "async"))) {
                assertThat(client.exchange("later")).isEqualTo("{\"index\":5,\"of\":\"later\"}");
            }
        });
    }

    @Test
    void anEmptyMonoAndANullSendNothing() {
        this.contextRunner.run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, "mono"))) {
                client.send("quiet");
                assertThat(client.exchange("next")).isEqualTo("next");
            }
            try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, "plain"))) {
                client.send("none");
                assertThat(client.exchange("next")).isEqualTo("next");
            }
            assertThat(context.getBean(RecordingErrorHandler.class).seen).isEmpty();
        });
    }

    @Test
    void aReplyTheFramerRejectsReachesTheErrorHandlerAndTheConnectionIsStillServed() {
        this.contextRunner.run(context -> {
            for (String id : List.of("plain", "mono")) {
                try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, id))) {
                    client.send("big");
                    assertThat(client.exchange("small")).isEqualTo("small");
                }
            }
            List<String> seen = context.getBean(RecordingErrorHandler.class).seen;
            assertThat(seen).hasSize(2);
            assertThat(seen).allSatisfy(entry -> assertThat(entry).endsWith(":big:TapsReplyException:"
                    + "TransportServicesException"));
            assertThat(context.getBean(RecordingErrorHandler.class).threads)
                .allSatisfy(thread -> assertThat(thread).startsWith("taps-handler-"));
            TapsListenerRegistry registry = context.getBean(TapsListenerRegistry.class);
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(registry.handlerFigures("plain").orElseThrow().failed()).isEqualTo(1);
                assertThat(registry.handlerFigures("plain").orElseThrow().handled()).isEqualTo(1);
            });
        });
    }

    @Test
    void anAsynchronousFailureIsHandledOnAHandlerThreadNotTheThreadThatFailedTheStage() {
        this.contextRunner.run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, "late"))) {
                client.send("one");
                client.send("two");
            }
            RecordingErrorHandler errors = context.getBean(RecordingErrorHandler.class);
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(errors.seen)
                .containsExactly("late:one:IllegalStateException:null",
                        "late:two:IllegalStateException:null"));
            assertThat(errors.threads).allSatisfy(thread -> assertThat(thread).startsWith("taps-handler-"));
        });
    }

    @Test
    void aFluxWhoseReplyFailsStopsThereAndReportsIt() {
        this.contextRunner.run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, "broken"))) {
                client.send("a");
                assertThat(client.receive()).isEqualTo("a-1");
                // "a-3" is never sent: the next reply the peer sees answers the next Message.
                client.send("b");
                assertThat(client.receive()).isEqualTo("b-1");
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    context.getBean(RecordingErrorHandler.class).seen).containsExactly(
                            "broken:a:TapsReplyException:TransportServicesException",
                            "broken:b:TapsReplyException:TransportServicesException"));
        });
    }
}

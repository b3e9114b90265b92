package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.Connection;
import io.taps.Message;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsConversionAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import io.taps.spring.convert.TapsMessageConversionException;
import java.io.EOFException;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Error handling of {@code @TapsListener} methods seen by a plain JDK socket peer: exception
 * handlers of the handler bean before those of a {@code @TapsControllerAdvice}, the most specific
 * exception type within a bean, the close action observed as the peer's end of stream after the
 * reply and the abort action as a connection reset; and the {@code errorHandler} attribute choosing
 * the named error handler bean.
 */
class ListenerErrorsTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, TapsAutoConfiguration.class,
                TapsConversionAutoConfiguration.class, TapsListenerAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1", "taps.profiles.chat.security.enabled=false",
                "taps.profiles.chat.framers=length-prefix");

    record Problem(String error, String detail) {
    }

    // README "Errors" example: exception handlers in the handler bean...
    @Configuration(proxyBeanMethods = false)
    static class OrderHandler {
        @TapsListener(id = "orders", profile = "chat", host = "127.0.0.1", port = "0")
        String onMessage(String text) {
            return switch (text) {
                case "unknown" -> throw new IllegalArgumentException("no such order");
                case "broken" -> throw new IllegalStateException("order book broken");
                case "stop" -> throw new UnsupportedOperationException("stop");
                default -> "ok " + text;
            };
        }

        @TapsExceptionHandler
        Problem unknown(IllegalArgumentException ex) {
            return new Problem("unknown", ex.getMessage());
        }

        @TapsExceptionHandler(value = UnsupportedOperationException.class, action = TapsErrorAction.CLOSE)
        Problem stop(RuntimeException ex, Message message) {
            return new Problem("closing", message.asString());
        }

        @TapsExceptionHandler
        Problem any(RuntimeException ex) {
            return new Problem("any", ex.getMessage());
        }
    }

    // ...and in an advice for every listener.
    @TapsControllerAdvice
    static class ServerErrors {
        @TapsExceptionHandler
        TapsErrorAction broken(IllegalStateException ex) {
            return TapsErrorAction.ABORT;
        }

        @TapsExceptionHandler(IllegalArgumentException.class)
        Problem anyUnknown() {
            return new Problem("advice", "never used by orders: its own handler comes first");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class InventoryHandler {
        @TapsListener(id = "inventory", profile = "chat", host = "127.0.0.1", port = "0")
        String onMessage(String text) {
            if (text.equals("unknown")) {
                throw new IllegalArgumentException("no such item");
            }
            throw new IllegalStateException("inventory broken");
        }
    }

    record Item(String name) {
    }

    @Configuration(proxyBeanMethods = false)
    static class StockHandler {
        @TapsListener(id = "stock", profile = "chat", host = "127.0.0.1", port = "0")
        String onMessage(Item item) {
            if (item.name().equals("unknown")) {
                throw new IllegalArgumentException("no such stock");
            }
            return "in stock: " + item.name();
        }
    }

    /** Only for "stock", and asked before {@link ServerErrors}. */
    @TapsControllerAdvice(listeners = "stock")
    @org.springframework.core.annotation.Order(0)
    static class StockErrors {
        @TapsExceptionHandler
        Problem unreadable(TapsMessageConversionException ex) {
            return new Problem("unreadable", ex.getRawMessage().asString());
        }

        @TapsExceptionHandler
        Problem unknown(IllegalArgumentException ex) {
            return new Problem("stock", ex.getMessage());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Import({ OrderHandler.class, InventoryHandler.class, ServerErrors.class, StockHandler.class, StockErrors.class })
    static class Shop {
    }

    @Test
    void anAdviceLimitedToAListenerAnswersItsUnreadablePayloadsWithTheRawMessage() {
        this.contextRunner.withUserConfiguration(Shop.class).run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, "stock"))) {
                assertThat(client.exchange("{\"name\":")).isEqualTo("{\"error\":\"unreadable\",\"detail\":\"{\\\"name\\\":\"}");
                assertThat(client.exchange("{\"name\":\"unknown\"}"))
                    .isEqualTo("{\"error\":\"stock\",\"detail\":\"no such stock\"}");
                assertThat(client.exchange("{\"name\":\"bolt\"}")).isEqualTo("in stock: bolt");
            }
            // The same exception from another listener never reaches the limited advice.
            try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, "inventory"))) {
                assertThat(client.exchange("unknown")).startsWith("{\"error\":\"advice\"");
            }
        });
    }

    @Test
    void theHandlerBeansExceptionHandlerAnswersAndTheConnectionStaysOpen() {
        this.contextRunner.withUserConfiguration(Shop.class).run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, "orders"))) {
                assertThat(client.exchange("unknown")).isEqualTo("{\"error\":\"unknown\",\"detail\":\"no such order\"}");
                assertThat(client.exchange("42")).isEqualTo("ok 42");
            }
        });
    }

    @Test
    void theMostSpecificHandlerOfTheBeanWinsAndTheBeanComesBeforeTheAdvice() {
        this.contextRunner.withUserConfiguration(Shop.class).run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, "orders"))) {
                // IllegalArgumentException: its own handler, not the RuntimeException one.
                assertThat(client.exchange("unknown")).isEqualTo("{\"error\":\"unknown\",\"detail\":\"no such order\"}");
                // IllegalStateException: the bean's RuntimeException handler, though the advice names the exact type.
                assertThat(client.exchange("broken")).isEqualTo("{\"error\":\"any\",\"detail\":\"order book broken\"}");
            }
        });
    }

    @Test
    void theAdviceAppliesToListenersWhoseBeanHasNoHandlerForTheError() {
        this.contextRunner.withUserConfiguration(Shop.class).run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, "inventory"))) {
                assertThat(client.exchange("unknown"))
                    .isEqualTo("{\"error\":\"advice\",\"detail\":\"never used by orders: its own handler comes first\"}");
            }
        });
    }

    @Test
    void theCloseActionSendsTheReplyThenEndsTheConnection() {
        this.contextRunner.withUserConfiguration(Shop.class).run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, "orders"))) {
                assertThat(client.exchange("stop")).isEqualTo("{\"error\":\"closing\",\"detail\":\"stop\"}");
                assertThatThrownBy(client::receive).isInstanceOf(EOFException.class);
            }
        });
    }

    @Test
    void theAbortActionOfTheAdviceResetsTheConnection() {
        this.contextRunner.withUserConfiguration(Shop.class).run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, "inventory"))) {
                client.send("broken");
                assertThatThrownBy(client::receive).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
            }
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class NamedErrorHandlers {
        final List<String> audit = new CopyOnWriteArrayList<>();
        final List<String> fallback = new CopyOnWriteArrayList<>();

        @Bean
        TapsListenerErrorHandler auditErrors() {
            return (String id, Connection connection, @Nullable Message message, Throwable error) -> this.audit
                .add(id + ":" + error.getMessage());
        }

        @Bean
        @org.springframework.context.annotation.Primary
        TapsListenerErrorHandler fallbackErrors() {
            return (String id, Connection connection, @Nullable Message message, Throwable error) -> this.fallback
                .add(id + ":" + error.getMessage());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class AuditedListeners {
        @TapsListener(id = "audited", profile = "chat", host = "127.0.0.1", port = "0", errorHandler = "auditErrors")
        String audited(String text) {
            throw new IllegalStateException("audited " + text);
        }

        @TapsListener(id = "other", profile = "chat", host = "127.0.0.1", port = "0")
        String other(String text) {
            throw new IllegalStateException("other " + text);
        }
    }

    @Test
    void theErrorHandlerAttributePicksTheNamedBeanAndOthersGetTheDefault() {
        this.contextRunner.withUserConfiguration(NamedErrorHandlers.class, AuditedListeners.class).run(context -> {
            for (String id : List.of("audited", "other")) {
                try (PlainFramedClient client = new PlainFramedClient(TypedMessagesTests.port(context, id))) {
                    client.send("one");
                    client.send("two");
                }
            }
            NamedErrorHandlers handlers = context.getBean(NamedErrorHandlers.class);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(handlers.audit).containsExactly("audited:audited one", "audited:audited two");
                assertThat(handlers.fallback).containsExactly("other:other one", "other:other two");
            });
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class UnknownErrorHandler {
        @TapsListener(id = "lost", profile = "chat", host = "127.0.0.1", port = "0", errorHandler = "nowhere")
        void lost(String text) {
        }
    }

    @Test
    void anErrorHandlerNameWithoutABeanFailsStartUp() {
        this.contextRunner.withUserConfiguration(UnknownErrorHandler.class)
            .run(context -> assertThat(context.getStartupFailure()).hasMessageContaining(
                    "@TapsListener(id = \"lost\", errorHandler = \"nowhere\") names no bean"));
    }

    @Configuration(proxyBeanMethods = false)
    static class AmbiguousExceptionHandlers {
        @TapsListener(id = "twice", profile = "chat", host = "127.0.0.1", port = "0")
        void twice(String text) {
        }

        @TapsExceptionHandler(IllegalStateException.class)
        void first() {
        }

        @TapsExceptionHandler(IllegalStateException.class)
        void second() {
        }
    }

    @Test
    void twoExceptionHandlersForOneTypeInOneBeanFailStartUp() {
        this.contextRunner.withUserConfiguration(AmbiguousExceptionHandlers.class)
            .run(context -> assertThat(context.getStartupFailure())
                .hasMessageContaining("are both @TapsExceptionHandler for java.lang.IllegalStateException"));
    }
}

package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsConversionAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import io.taps.spring.convert.TapsMessageConversionException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Typed payloads on real sockets, with a peer that is neither taps nor Netty (a JDK socket speaking
 * the length-prefix framing): JSON records in and out through Boot's Jackson, {@code @Valid}
 * failures mapped to a reply by a {@code @TapsExceptionHandler}, undecodable payloads reaching the
 * error handler with the raw Message, content types from the annotation and the profile, and
 * parameter types no converter reads failing start-up.
 */
class TypedMessagesTests {
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, ValidationAutoConfiguration.class,
                TapsAutoConfiguration.class, TapsConversionAutoConfiguration.class,
                TapsListenerAutoConfiguration.class))
        .withPropertyValues("taps.event-loop-threads=1", "taps.profiles.chat.security.enabled=false",
                "taps.profiles.chat.framers=length-prefix");

    // README "Typed messages" example: a record in, a record out, validated.
    record ChatMessage(@NotBlank String user, @Size(max = 20) String text) {
    }

    record ChatReceipt(String user, int length) {
    }

    record Problem(String error, String detail) {
    }

    @Configuration(proxyBeanMethods = false)
    static class ChatHandler {
        @TapsListener(id = "chat", profile = "chat", host = "127.0.0.1", port = "0")
        ChatReceipt onMessage(@Valid ChatMessage message) {
            return new ChatReceipt(message.user(), message.text().length());
        }

        @TapsExceptionHandler
        Problem invalid(TapsPayloadValidationException ex) {
            return new Problem("invalid", ex.getMessage());
        }
    }

    @Test
    void aRecordIsReadFromJsonAndTheRecordReplyIsWrittenAsJson() {
        this.contextRunner.withUserConfiguration(ChatHandler.class).run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(port(context, "chat"))) {
                assertThat(client.exchange("{\"user\":\"ada\",\"text\":\"hello\"}"))
                    .isEqualTo("{\"user\":\"ada\",\"length\":5}");
                assertThat(client.exchange("{\"user\":\"bob\",\"text\":\"hi\"}"))
                    .isEqualTo("{\"user\":\"bob\",\"length\":2}");
            }
        });
    }

    @Test
    void anInvalidPayloadIsAnsweredByTheExceptionHandlerAndTheHandlerIsNotCalled() {
        this.contextRunner.withUserConfiguration(ChatHandler.class).run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(port(context, "chat"))) {
                assertThat(client.exchange("{\"user\":\"\",\"text\":\"a text far longer than twenty\"}"))
                    .isEqualTo("{\"error\":\"invalid\",\"detail\":\"the ChatMessage payload is not valid: "
                            + "text size must be between 0 and 20, user must not be blank\"}");
                // The Connection stays open (KEEP_OPEN is the default action).
                assertThat(client.exchange("{\"user\":\"ada\",\"text\":\"ok\"}"))
                    .isEqualTo("{\"user\":\"ada\",\"length\":2}");
            }
            ListenerHandlerFigures figures = context.getBean(TapsListenerRegistry.class).listener("chat").orElseThrow()
                .handlerFigures();
            // The figures are updated after the reply's Sent, which may come after the peer read it.
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(figures.failed()).isEqualTo(1);
                assertThat(figures.handled()).isEqualTo(1);
                assertThat(figures.inFlight()).isZero();
            });
            assertThat(figures.lastError()).get().extracting(ListenerHandlerFigures.LastError::type)
                .isEqualTo(TapsPayloadValidationException.class.getName());
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class RecordingErrorHandler {
        final List<Object[]> seen = new CopyOnWriteArrayList<>();

        @Bean
        TapsListenerErrorHandler recordingErrorHandler() {
            return (String id, Connection connection, @Nullable Message message, Throwable error) -> this.seen
                .add(new Object[] { id, message == null ? null : message.asString(), error });
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PlainChatHandler {
        @TapsListener(id = "chat", profile = "chat", host = "127.0.0.1", port = "0")
        ChatReceipt onMessage(ChatMessage message) {
            return new ChatReceipt(message.user(), message.text().length());
        }
    }

    @Test
    void aPayloadThatIsNotValidJsonReachesTheErrorHandlerWithTheRawMessage() {
        this.contextRunner.withUserConfiguration(PlainChatHandler.class, RecordingErrorHandler.class).run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(port(context, "chat"))) {
                client.send("not json");
                assertThat(client.exchange("{\"user\":\"ada\",\"text\":\"after\"}"))
                    .isEqualTo("{\"user\":\"ada\",\"length\":5}");
            }
            List<Object[]> seen = context.getBean(RecordingErrorHandler.class).seen;
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0)[0]).isEqualTo("chat");
            assertThat(seen.get(0)[1]).isEqualTo("not json");
            assertThat(seen.get(0)[2]).isInstanceOfSatisfying(TapsMessageConversionException.class,
                    ex -> assertThat(ex.getRawMessage().asString()).isEqualTo("not json"));
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class TextOnlyListener {
        @TapsListener(id = "chat", profile = "chat", host = "127.0.0.1", port = "0", contentType = "text/plain")
        void onMessage(ChatMessage message) {
        }
    }

    @Test
    void aPayloadTypeNoConverterReadsInTheContentTypeFailsStartUp() {
        this.contextRunner.withUserConfiguration(TextOnlyListener.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TextOnlyListener.onMessage has parameter 0 of type "
                        + ChatMessage.class.getName() + " that no TapsMessageConverter reads as text/plain");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class ValidatingWithoutValidator {
        @TapsListener(id = "chat", profile = "chat", host = "127.0.0.1", port = "0")
        void onMessage(@Valid ChatMessage message) {
        }
    }

    @Test
    void aValidatedPayloadWithoutAValidatorFailsStartUpRatherThanGoingUnchecked() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, TapsAutoConfiguration.class,
                    TapsConversionAutoConfiguration.class, TapsListenerAutoConfiguration.class))
            .withPropertyValues("taps.profiles.chat.security.enabled=false", "taps.profiles.chat.framers=length-prefix")
            .withUserConfiguration(ValidatingWithoutValidator.class)
            .run(context -> assertThat(context.getStartupFailure()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has a @Valid/@Validated payload but the context has no unique "
                        + "jakarta.validation.Validator bean"));
    }

    @Configuration(proxyBeanMethods = false)
    static class LatinTextListener {
        @TapsListener(id = "latin", profile = "latin", host = "127.0.0.1", port = "0")
        String onMessage(String text, byte[] raw) {
            return text + " is " + text.length() + " character(s) in " + raw.length + " byte(s)";
        }
    }

    @Test
    void theProfileContentTypeChoosesTheCharsetOfStringPayloadsAndReplies() throws Exception {
        this.contextRunner.withUserConfiguration(LatinTextListener.class)
            .withPropertyValues("taps.profiles.latin.base=chat",
                    "taps.profiles.latin.content-type=text/plain;charset=ISO-8859-1")
            .run(context -> {
                byte[] latin1 = "café".getBytes(StandardCharsets.ISO_8859_1);
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port(context, "latin")), 10_000);
                    socket.setSoTimeout(30_000);
                    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                    out.writeInt(latin1.length);
                    out.write(latin1);
                    out.flush();
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    byte[] reply = new byte[in.readInt()];
                    in.readFully(reply);
                    assertThat(new String(reply, StandardCharsets.ISO_8859_1))
                        .isEqualTo("café is 4 character(s) in 4 byte(s)");
                }
            });
    }

    @Test
    void taps_listeners_idContentTypeOverridesTheAnnotationAndTheProfile() throws Exception {
        this.contextRunner.withUserConfiguration(LatinTextListener.class)
            .withPropertyValues("taps.profiles.latin.base=chat", "taps.profiles.latin.content-type=text/plain",
                    "taps.listeners.latin.content-type=text/plain;charset=ISO-8859-1")
            .run(context -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port(context, "latin")), 10_000);
                    socket.setSoTimeout(30_000);
                    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                    out.writeInt(1);
                    out.write(0xE9);
                    out.flush();
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    byte[] reply = new byte[in.readInt()];
                    in.readFully(reply);
                    assertThat(new String(reply, StandardCharsets.ISO_8859_1))
                        .isEqualTo("\u00e9 is 1 character(s) in 1 byte(s)");
                }
            });
    }

    interface Strict {
    }

    record Signup(@NotBlank String user, @NotBlank(groups = Strict.class) String email) {
    }

    @Configuration(proxyBeanMethods = false)
    static class GroupValidatingListeners {
        @TapsListener(id = "lenient", profile = "chat", host = "127.0.0.1", port = "0")
        String lenient(@Valid Signup signup) {
            return "welcome " + signup.user();
        }

        @TapsListener(id = "strict", profile = "chat", host = "127.0.0.1", port = "0")
        String strict(@org.springframework.validation.annotation.Validated(Strict.class) Signup signup) {
            return "welcome " + signup.user();
        }

        @TapsExceptionHandler
        String invalid(TapsPayloadValidationException ex) {
            return ex.getMessage();
        }
    }

    @Test
    void validatedGroupsChooseTheConstraintsChecked() {
        this.contextRunner.withUserConfiguration(GroupValidatingListeners.class).run(context -> {
            String noEmail = "{\"user\":\"ada\",\"email\":\"\"}";
            try (PlainFramedClient client = new PlainFramedClient(port(context, "lenient"))) {
                assertThat(client.exchange(noEmail)).isEqualTo("welcome ada");
            }
            try (PlainFramedClient client = new PlainFramedClient(port(context, "strict"))) {
                assertThat(client.exchange(noEmail)).isEqualTo("the Signup payload is not valid: email must not be blank");
                // The default group is not checked by @Validated(Strict.class).
                assertThat(client.exchange("{\"user\":\"\",\"email\":\"a@b\"}")).isEqualTo("welcome ");
            }
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class RawViewListener {
        /** The typed payload and, next to it, the same bytes as text: {@code @TapsPayload} marks which is which. */
        @TapsListener(id = "chat", profile = "chat", host = "127.0.0.1", port = "0")
        String onMessage(@TapsPayload ChatMessage message, String json, MessageContext context) {
            return message.user() + " sent " + json.length() + " characters" + (context.isFinal() ? " and ended" : "");
        }
    }

    @Test
    void stringParametersNextToATypedPayloadAreRawViewsOfTheSameBytes() {
        this.contextRunner.withUserConfiguration(RawViewListener.class).run(context -> {
            try (PlainFramedClient client = new PlainFramedClient(port(context, "chat"))) {
                assertThat(client.exchange("{\"user\":\"ada\",\"text\":\"hi\"}")).isEqualTo("ada sent 26 characters");
            }
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoPayloads {
        @TapsListener(id = "chat", profile = "chat", host = "127.0.0.1", port = "0")
        void onMessage(ChatMessage message, ChatReceipt receipt) {
        }
    }

    @Test
    void twoTypedPayloadParametersFailStartUp() {
        this.contextRunner.withUserConfiguration(TwoPayloads.class).run(context -> assertThat(
                context.getStartupFailure()).rootCause().hasMessageContaining("TwoPayloads.onMessage has more than one "
                        + "payload parameter"));
    }

    static int port(org.springframework.context.ApplicationContext context, String id) {
        return context.getBean(TapsListenerRegistry.class).listener(id).orElseThrow().port();
    }
}

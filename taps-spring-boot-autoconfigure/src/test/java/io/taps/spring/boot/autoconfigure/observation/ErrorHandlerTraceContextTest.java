package io.taps.spring.boot.autoconfigure.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Message;
import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsConversionAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import io.taps.spring.listener.TapsExceptionHandler;
import io.taps.spring.listener.TapsListener;
import io.taps.spring.listener.TapsListenerErrorHandler;
import io.taps.spring.listener.TapsListenerRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With Boot's Micrometer Tracing (the Brave bridge, as an application gets it from
 * spring-boot-micrometer-tracing-brave), the {@code taps.listener.message} Observation is current
 * while the error handler and the {@code @TapsExceptionHandler} methods run, also when the handler's
 * CompletionStage fails on another thread: their log lines carry the Message's trace id in the MDC,
 * the same one the handler method saw.
 */
class ErrorHandlerTraceContextTest {
    private static final Log logger = LogFactory.getLog(ErrorHandlerTraceContextTest.class);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class,
                MicrometerTracingAutoConfiguration.class, BraveAutoConfiguration.class, JacksonAutoConfiguration.class,
                TapsAutoConfiguration.class, TapsConversionAutoConfiguration.class,
                TapsListenerAutoConfiguration.class, TapsObservationAutoConfiguration.class))
        .withUserConfiguration(TracedHandlers.class)
        .withPropertyValues("management.tracing.sampling.probability=1.0", "taps.event-loop-threads=1",
                "taps.listener.execution=platform", "taps.profiles.chat.security.enabled=false",
                "taps.profiles.chat.framers=length-prefix");

    @Configuration(proxyBeanMethods = false)
    static class TracedHandlers {
        /** Trace ids by where they were read, for each Message text. */
        final Map<String, String> traceIds = new ConcurrentHashMap<>();

        private void record(String where, String text) {
            String traceId = MDC.get("traceId");
            this.traceIds.put(where + ":" + text, traceId == null ? "none" : traceId);
        }

        @TapsListener(id = "sync", profile = "chat", host = "127.0.0.1", port = "0")
        String sync(String text) {
            record("handler", text);
            throw new IllegalStateException("sync failure");
        }

        /** Fails on a pool thread, after the handler returned and its scope closed. */
        @TapsListener(id = "async", profile = "chat", host = "127.0.0.1", port = "0")
        CompletionStage<String> async(String text) {
            record("handler", text);
            return CompletableFuture.supplyAsync(() -> {
                throw new IllegalStateException("async failure");
            });
        }

        @TapsListener(id = "mapped", profile = "chat", host = "127.0.0.1", port = "0")
        String mapped(String text) {
            record("handler", text);
            throw new IllegalArgumentException("mapped failure");
        }

        @TapsExceptionHandler
        String answer(IllegalArgumentException ex, Message message) {
            logger.warn("answering " + ex.getMessage());
            record("exception-handler", message.asString());
            return "answered";
        }

        // README "Errors" example: the error handler's log line carries the trace id.
        @Bean
        TapsListenerErrorHandler tracedErrorHandler() {
            return (String id, Connection connection, @Nullable Message message, Throwable error) -> {
                logger.warn("taps listener " + id + " failed: " + error.getMessage());
                record("error-handler", message == null ? "callback" : message.asString());
            };
        }
    }

    @Test
    void theErrorHandlerRunsInTheMessagesTraceContext() {
        runner.run(context -> {
            TracedHandlers handlers = context.getBean(TracedHandlers.class);
            send(context, "sync", "s1");
            send(context, "async", "a1");
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(handlers.traceIds)
                .containsKeys("error-handler:s1", "error-handler:a1"));
            for (String text : new String[] { "s1", "a1" }) {
                String traceId = handlers.traceIds.get("handler:" + text);
                assertThat(traceId).as(text).matches("[0-9a-f]{16,32}");
                assertThat(handlers.traceIds.get("error-handler:" + text)).as(text).isEqualTo(traceId);
            }
            assertThat(handlers.traceIds.get("handler:s1")).isNotEqualTo(handlers.traceIds.get("handler:a1"));
        });
    }

    @Test
    void theExceptionHandlerRunsInTheMessagesTraceContext() {
        runner.run(context -> {
            TracedHandlers handlers = context.getBean(TracedHandlers.class);
            assertThat(exchange(context, "mapped", "m1")).isEqualTo("answered");
            String traceId = handlers.traceIds.get("handler:m1");
            assertThat(traceId).matches("[0-9a-f]{16,32}");
            assertThat(handlers.traceIds.get("exception-handler:m1")).isEqualTo(traceId);
            // Nothing is left in the MDC of this thread, and no scope leaks into the next Message.
            assertThat(exchange(context, "mapped", "m2")).isEqualTo("answered");
            assertThat(handlers.traceIds.get("exception-handler:m2")).isEqualTo(handlers.traceIds.get("handler:m2"))
                .isNotEqualTo(traceId);
        });
    }

    private static void send(ApplicationContext context, String id, String text) throws Exception {
        try (Socket socket = connect(context, id)) {
            write(socket, text);
        }
    }

    private static String exchange(ApplicationContext context, String id, String text) throws Exception {
        try (Socket socket = connect(context, id)) {
            write(socket, text);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] reply = new byte[in.readInt()];
            in.readFully(reply);
            return new String(reply, StandardCharsets.UTF_8);
        }
    }

    private static Socket connect(ApplicationContext context, String id) throws Exception {
        int port = context.getBean(TapsListenerRegistry.class).listener(id).orElseThrow().port();
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
}

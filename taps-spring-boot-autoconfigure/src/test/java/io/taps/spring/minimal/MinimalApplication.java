package io.taps.spring.minimal;

import io.taps.spring.client.TapsClient;
import io.taps.spring.listener.TapsListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * An application with {@code @TapsListener} methods taking and returning plain payloads, and a
 * {@code taps.clients} client that calls them, started the way users start one. Run by
 * {@link WithoutReactorOrValidationTests} in a class loader without Reactor and without Jakarta
 * Validation.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(MinimalApplication.Listeners.class)
public class MinimalApplication {

    /** Starts the application, makes one call of each kind through the client, and stops it. */
    public static List<String> exchange() throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(MinimalApplication.class)
            .web(WebApplicationType.NONE)
            .properties("taps.event-loop-threads=1", "taps.listener.execution=platform",
                    "taps.profiles.framed.security.enabled=false", "taps.profiles.framed.framers=length-prefix",
                    "taps.clients.text.profile=framed", "taps.clients.text.remote.host=127.0.0.1",
                    "taps.clients.text.remote.port=${local.taps.text.port}",
                    "taps.clients.bytes.profile=framed", "taps.clients.bytes.remote.host=127.0.0.1",
                    "taps.clients.bytes.remote.port=${local.taps.bytes.port}",
                    "taps.clients.later.profile=framed", "taps.clients.later.remote.host=127.0.0.1",
                    "taps.clients.later.remote.port=${local.taps.later.port}")
            .run()) {
            List<String> replies = new ArrayList<>();
            replies.add(context.getBean("text", TapsClient.class).request("plain", String.class)
                .toCompletableFuture().get(10, TimeUnit.SECONDS));
            byte[] reversed = context.getBean("bytes", TapsClient.class).request(new byte[] { 1, 2, 3 }, byte[].class)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
            replies.add(java.util.Arrays.toString(reversed));
            replies.add(context.getBean("later", TapsClient.class).request("async", String.class)
                .toCompletableFuture().get(10, TimeUnit.SECONDS));
            return replies;
        }
    }

    /** Plain payloads: a String, a byte array, a CompletionStage reply. */
    static class Listeners {
        @TapsListener(id = "text", profile = "framed", host = "127.0.0.1", port = "0")
        String text(String text) {
            return "text: " + text;
        }

        @TapsListener(id = "bytes", profile = "framed", host = "127.0.0.1", port = "0")
        byte[] bytes(byte[] payload) {
            byte[] reversed = new byte[payload.length];
            for (int i = 0; i < payload.length; i++) {
                reversed[i] = payload[payload.length - 1 - i];
            }
            return reversed;
        }

        @TapsListener(id = "later", profile = "framed", host = "127.0.0.1", port = "0")
        CompletionStage<String> later(String text) {
            return CompletableFuture.supplyAsync(() -> "later: " + text);
        }
    }
}

package io.taps.spring.client;

import io.taps.spring.listener.TapsListener;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** The peers of the client tests: listeners of this same application, on ephemeral loopback ports. */
@Component
class ClientTestListeners {
    private final JsonMapper json = JsonMapper.builder().build();

    /** Released by a test to let the {@code slow} listener answer. */
    volatile CountDownLatch slowGate = new CountDownLatch(0);

    @TapsListener(id = "echo", profile = "framed", host = "127.0.0.1", port = "0")
    @org.jspecify.annotations.Nullable String echo(String text) {
        // A one-way Message (TapsClient.send) gets no reply, or it would answer the next request.
        return text.startsWith("one-way") ? null : "echo: " + text;
    }

    /** Takes an {@link Order} as JSON text and answers with a {@link Confirmation} as JSON text. */
    @TapsListener(id = "orders", profile = "framed", host = "127.0.0.1", port = "0")
    String confirm(String orderJson) {
        Order order = this.json.readValue(orderJson, Order.class);
        return this.json.writeValueAsString(new Confirmation(order.id(), order.quantity() * 2, "confirmed"));
    }

    @TapsListener(id = "slow", profile = "framed", host = "127.0.0.1", port = "0")
    String slow(String text) throws InterruptedException {
        if (text.startsWith("wait")) {
            this.slowGate.await(30, TimeUnit.SECONDS);
        }
        return "slow: " + text;
    }

    /** An order a client sends. */
    record Order(String id, int quantity) {
    }

    /** The listener's answer to an {@link Order}. */
    record Confirmation(String orderId, int doubled, String status) {
    }
}

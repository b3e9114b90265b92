package io.taps.spring.clientreadme;

import io.taps.spring.clientreadme.OrderService.Confirmation;
import io.taps.spring.clientreadme.OrderService.Order;
import io.taps.spring.listener.TapsListener;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** The README's client example with the order service it calls, here a listener of the same application. */
@SpringBootApplication
class ReadmeClientApplication {

    @Component
    static class OrderDesk {
        private final JsonMapper json = JsonMapper.builder().build();

        @TapsListener(id = "orders", profile = "orders", host = "127.0.0.1", port = "0")
        String confirm(String orderJson) {
            Order order = this.json.readValue(orderJson, Order.class);
            return this.json.writeValueAsString(new Confirmation(order.id(), "confirmed x" + order.quantity()));
        }
    }
}

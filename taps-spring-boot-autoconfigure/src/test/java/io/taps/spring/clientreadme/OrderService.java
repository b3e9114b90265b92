package io.taps.spring.clientreadme;

import io.taps.spring.client.TapsClient;
import java.util.concurrent.CompletionStage;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;

/** The README's client example, verbatim. */
@Service
class OrderService {
    private final TapsClient orders;

    OrderService(@Qualifier("orders") TapsClient orders) {
        this.orders = orders;
    }

    CompletionStage<Confirmation> place(Order order) {
        return this.orders.request(order, Confirmation.class);   // JSON out, the reply read as a record
    }

    record Order(String id, int quantity) {
    }

    record Confirmation(String orderId, String status) {
    }
}

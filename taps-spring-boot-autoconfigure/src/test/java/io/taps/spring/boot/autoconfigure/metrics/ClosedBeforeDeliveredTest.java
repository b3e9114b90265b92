package io.taps.spring.boot.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.spring.boot.autoconfigure.LoopbackEcho;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A Listener holding back accepted Connections (New Connection Limit 0, RFC 9622 §7.2) may deliver
 * one that the peer closed meanwhile: the core then reports its Closed before its
 * ConnectionReceived. The active gauge must not count it forever, nor keep the Connection.
 */
class ClosedBeforeDeliveredTest {

    @Test
    void aConnectionClosedWhileHeldIsNotCountedAsActive() throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();
        TapsMeterObserver observer = new TapsMeterObserver(meters, ConnectionProfiles.NONE);
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).observer(observer).build()) {
            Listener listener = LoopbackEcho.listen(taps, null);
            listener.setNewConnectionLimit(0);
            try (TransportServices clients = TransportServices.builder().eventLoopThreads(1).build()) {
                Connection client = LoopbackEcho.connect(clients, listener, null);
                client.abort();
                LoopbackEcho.await(client.closed().handle((ok, failure) -> null));
            }
            // The server side notices the reset on its own loop; give it that moment before releasing.
            Thread.sleep(500);
            listener.setNewConnectionLimit(1);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Search.in(meters).name("taps.connections").tag("role", "listen").counters().stream()
                            .mapToDouble(counter -> counter.count()).sum() == 1.0);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    Search.in(meters).name("taps.connections.active").tag("role", "listen").gauges().stream()
                            .mapToDouble(gauge -> gauge.value()).sum()).isEqualTo(0.0));
        }
    }
}

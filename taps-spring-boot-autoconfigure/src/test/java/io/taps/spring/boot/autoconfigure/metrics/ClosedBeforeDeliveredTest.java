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
 * ConnectionReceived. The Listener drops such a Connection when it saw its end while holding it
 * (issue 15 item 5), else delivers it already ended; either way the active gauge must not count it.
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
                Connection held = LoopbackEcho.connect(clients, listener, null);
                held.abort();
                LoopbackEcho.await(held.closed().handle((ok, failure) -> null));
                // The server side notices the reset on its own loop; give it that moment before releasing.
                Thread.sleep(500);
                listener.setNewConnectionLimit(2);
                Connection live = LoopbackEcho.connect(clients, listener, null);
                LoopbackEcho.exchange(live, 16);
                // The held one is dropped if its end was seen while held, else delivered and closed at
                // once; either way only the live Connection stays active.
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(activeListen(meters)).isEqualTo(1.0));
                assertThat(listenCount(meters, "taps.connections")).isBetween(1.0, 2.0);
                live.close();
                LoopbackEcho.await(live.closed());
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(activeListen(meters)).isEqualTo(0.0));
            }
        }
    }

    private static double listenCount(MeterRegistry meters, String name) {
        return Search.in(meters).name(name).tag("taps.role", "listen").counters().stream()
                .mapToDouble(counter -> counter.count()).sum();
    }

    private static double activeListen(MeterRegistry meters) {
        return Search.in(meters).name("taps.connections.active").tag("taps.role", "listen").gauges().stream()
                .mapToDouble(gauge -> gauge.value()).sum();
    }
}

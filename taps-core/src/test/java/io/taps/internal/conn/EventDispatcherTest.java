package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Event delivery rules of RFC 9622 §11 (E-21) at the dispatcher level. */
class EventDispatcherTest {

    @Test
    void eventsRaisedByAHandlerRunAfterItNotInsideIt() {
        EventDispatcher dispatcher = new EventDispatcher(null);
        List<String> trace = new CopyOnWriteArrayList<>();
        dispatcher.emit(() -> {
            trace.add("first:start");
            dispatcher.emit(() -> trace.add("second"));
            trace.add("first:end");
        });
        assertThat(trace).containsExactly("first:start", "first:end", "second");
    }

    @Test
    void nothingIsDeliveredAfterTheTerminalEvent() {
        EventDispatcher dispatcher = new EventDispatcher(null);
        List<String> trace = new CopyOnWriteArrayList<>();
        assertThat(dispatcher.emit(() -> trace.add("Sent"))).isTrue();
        assertThat(dispatcher.emitTerminal(() -> trace.add("Closed"))).isTrue();
        assertThat(dispatcher.emit(() -> trace.add("Received"))).isFalse();
        assertThat(dispatcher.emitTerminal(() -> trace.add("ConnectionError"))).isFalse();
        assertThat(trace).containsExactly("Sent", "Closed");
    }

    @Test
    void aThrowingHandlerStillCompletesItsFutureAndLaterEventsFlow() {
        EventDispatcher dispatcher = new EventDispatcher(null);
        List<String> trace = new CopyOnWriteArrayList<>();
        dispatcher.emit(() -> {
            throw new IllegalStateException("application bug");
        }, () -> trace.add("future completed"));
        dispatcher.emit(() -> trace.add("next event"));
        assertThat(trace).containsExactly("future completed", "next event");
    }

    @Test
    void aPoolExecutorKeepsEventsInOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            EventDispatcher dispatcher = new EventDispatcher(pool);
            List<Integer> order = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                int index = i;
                dispatcher.emit(() -> order.add(index));
            }
            dispatcher.emitTerminal(() -> order.add(-1));
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            assertThat(order).hasSize(10_001).endsWith(-1);
            assertThat(order.subList(0, 10_000)).isSorted();
        } finally {
            pool.shutdownNow();
        }
    }
}

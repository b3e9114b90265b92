package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    void reentrantEventsBeyondTheRingsFirstSlotsKeepTheirOrder() {
        EventDispatcher dispatcher = new EventDispatcher(null);
        List<String> trace = new CopyOnWriteArrayList<>();
        for (int round = 0; round < 3; round++) {
            String prefix = "r" + round + ":";
            dispatcher.emit(() -> {
                for (int i = 0; i < 11; i++) {
                    String name = prefix + i;
                    dispatcher.emit(() -> {
                        trace.add(name);
                        dispatcher.emit(() -> trace.add(name + "'"));
                    });
                }
            });
        }
        for (int round = 0; round < 3; round++) {
            List<String> expected = new java.util.ArrayList<>();
            for (int i = 0; i < 11; i++) {
                expected.add("r" + round + ":" + i);
            }
            for (int i = 0; i < 11; i++) {
                expected.add("r" + round + ":" + i + "'");
            }
            assertThat(trace.subList(round * 22, round * 22 + 22)).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aStepGetsItsArgumentsAndItsCompletionRunsEvenWhenTheHandlerThrows() {
        EventDispatcher dispatcher = new EventDispatcher(null);
        List<String> trace = new CopyOnWriteArrayList<>();
        EventDispatcher.Step<List<String>, String, Integer> handler = (into, text, number) -> {
            into.add("handler " + text + " " + number);
            throw new IllegalStateException("application bug");
        };
        EventDispatcher.Step<List<String>, String, Integer> completion =
                (into, text, number) -> into.add("completed " + text + " " + number);
        assertThat(dispatcher.emit(handler, completion, trace, "a", 1)).isTrue();
        dispatcher.emitTerminal(() -> trace.add("Closed"));
        assertThat(dispatcher.emit(handler, completion, trace, "b", 2)).isFalse();
        assertThat(trace).containsExactly("handler a 1", "completed a 1", "Closed");
    }

    /**
     * Sent and Received are raised once per Message (issue 21): with constant steps, raising one,
     * even re-entrantly from a handler as a reply sent from Received does, allocates nothing once
     * the ring has its size.
     */
    @Test
    void raisingPerMessageEventsAllocatesNothing() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        EventDispatcher dispatcher = new EventDispatcher(null);
        long[] counter = new long[1];
        EventDispatcher.Step<EventDispatcher, long[], Object> reply = (events, count, unused) -> count[0]++;
        EventDispatcher.Step<EventDispatcher, long[], Object> received = (events, count, unused) -> {
            count[0]++;
            events.emit(reply, reply, events, count, null);
        };
        for (int i = 0; i < 20_000; i++) {
            dispatcher.emit(received, reply, dispatcher, counter, null);
        }
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 10_000; i++) {
            dispatcher.emit(received, reply, dispatcher, counter, null);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertThat(counter[0]).isEqualTo(30_000 * 4L);
        // Closures per event would be hundreds of kilobytes here; the bound leaves room for the
        // measurement itself.
        assertThat(allocated).isLessThan(10_000);
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

    /**
     * An inline event with nothing draining, and isTerminated, take no lock (issue 21, figure 3:
     * two monitor round trips per event and one per isTerminated were 14.6% of the pipelined
     * benchmark's JFR samples): both complete while another thread holds the dispatcher's monitor.
     */
    @Test
    void anInlineEventAndIsTerminatedNeedNoMonitor() throws Exception {
        EventDispatcher dispatcher = new EventDispatcher(null);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            synchronized (dispatcher) {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        holder.start();
        try {
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
            List<String> trace = new CopyOnWriteArrayList<>();
            CompletableFuture<Boolean> raised = CompletableFuture.supplyAsync(() -> {
                dispatcher.emit(() -> trace.add("Received"));
                return dispatcher.isTerminated();
            });
            assertThat(raised.get(10, TimeUnit.SECONDS)).isFalse();
            assertThat(trace).containsExactly("Received");
        } finally {
            release.countDown();
            holder.join();
        }
    }

    /**
     * Threads raising inline events at once: every event runs exactly once, never two at a time,
     * each thread's in the order it raised them, and nothing after the terminal event.
     */
    @Test
    void concurrentInlineEventsRunOneAtATimeInOrderAndNoneIsLost() throws Exception {
        EventDispatcher dispatcher = new EventDispatcher(null);
        int threads = 4;
        int perThread = 20_000;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<List<Integer>> seen = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            seen.add(new ArrayList<>());
        }
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<Integer> mine = seen.get(t);
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        int index = i;
                        dispatcher.emit(() -> {
                            if (running.incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            // Only the one running event touches the lists: the dispatcher serializes them.
                            mine.add(index);
                            if (index % 1000 == 0) {
                                dispatcher.emit(() -> mine.add(-index - 1));
                            }
                            running.decrementAndGet();
                        });
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> afterEnd = new CopyOnWriteArrayList<>();
        assertThat(dispatcher.emitTerminal(() -> afterEnd.add("Closed"))).isTrue();
        assertThat(dispatcher.emit(() -> afterEnd.add("Received"))).isFalse();
        assertThat(afterEnd).containsExactly("Closed");
        assertThat(overlaps).hasValue(0);
        synchronized (dispatcher) {
            for (List<Integer> mine : seen) {
                List<Integer> events = mine.stream().filter(i -> i >= 0).collect(java.util.stream.Collectors.toList());
                assertThat(events).hasSize(perThread).isSorted();
                assertThat(mine.stream().filter(i -> i < 0).count()).isEqualTo(perThread / 1000);
            }
        }
    }
}

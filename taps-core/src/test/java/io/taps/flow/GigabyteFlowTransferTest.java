package io.taps.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.reliability.MemoryProbe;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The "Streams and backpressure" example of the README (docs/streams.md), run for real: 1 GiB from
 * a Flow.Publisher through {@code sendAll} to a Listener whose subscriber of {@code messages()}
 * requests one Message at a time and hashes it, slower than the sender can produce. Memory stays
 * bounded (the sender's bytes not yet Sent within its window, the receiver's unread bytes within
 * its budget, the heap after GC), no SendQueueFull, and the SHA-256 of what arrived matches.
 */
class GigabyteFlowTransferTest extends TapsTestSupport {
    private static final int CHUNK = 64 * 1024;
    private static final long CHUNKS = 16 * 1024; // 1 GiB
    private static final long RECEIVE_BUDGET = 1 << 20;
    /** Heap growth allowed after GC while 1 GiB flows: windows and budgets are ~3 MiB; the rest is slack. */
    private static final long HEAP_BUDGET = 48L << 20;

    @Test
    void oneGibibyteThroughThePublisherSubscriberPairWithBoundedMemory() throws Exception {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(SecurityParameters.disabled()).build().listen();
        Await.result(listener.ready());
        Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                .security(SecurityParameters.disabled()).build().initiate();
        Connection server = Await.result(listener.accept());
        Await.result(client.ready());
        MemoryProbe.Snapshot before = MemoryProbe.measure();
        long start = System.nanoTime();

        // The receiving side: one Message per request, hashed, with a pause every 32 MiB.
        AtomicLong maxUnread = new AtomicLong();
        AtomicReference<MemoryProbe.Snapshot> worst = new AtomicReference<>(before.minus(before));
        AtomicLong nextProbe = new AtomicLong(256L << 20);
        RecordingSubscriber<Message> reader = new RecordingSubscriber<Message>();
        reader.onItem(message -> {
            long delivered = reader.bytes.get();
            maxUnread.accumulateAndGet(server.transferReport().bytesReceived() - delivered, Math::max);
            if (delivered >= nextProbe.get()) {
                nextProbe.addAndGet(256L << 20);
                MemoryProbe.Snapshot grown = MemoryProbe.measure().minus(before);
                worst.accumulateAndGet(grown, (a, b) -> a.heapAfterGc() >= b.heapAfterGc() ? a : b);
            }
            if (delivered % (32L << 20) < message.length()) {
                sleepQuietly();
            }
            reader.request(1);
        });
        server.messages().subscribe(reader);
        reader.request(1);

        // The sending side: 1 GiB of chunks, each made only when requested, then the end of stream.
        StreamData.ChunkSource source = new StreamData.ChunkSource(CHUNKS, CHUNK,
                () -> client.transferReport().bytesSent());
        CompletionStage<Long> sent = client.sendAll(source).thenCompose(
                bytes -> client.sendFinal().thenApply(context -> bytes));

        assertThat(Await.result(sent, Duration.ofSeconds(120))).isEqualTo(CHUNKS * CHUNK);
        Await.result(reader.done, Duration.ofSeconds(60));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("1 GiB through sendAll -> messages() in %.1f s; sender held at most %,d B unconfirmed,"
                + " receiver at most %,d B unread; worst growth after GC: %s%n", seconds,
                source.maxUnconfirmed.get(), maxUnread.get(), worst.get());

        assertThat(reader.bytes.get()).isEqualTo(CHUNKS * CHUNK);
        assertThat(reader.digest()).as("SHA-256 of what arrived").isEqualTo(source.digest.digest());
        assertThat(source.violation).isNull();
        assertThat(source.maxUnconfirmed.get()).as("bytes handed to taps and not yet Sent")
                .isLessThanOrEqualTo(Connection.DEFAULT_SEND_WINDOW + CHUNK);
        assertThat(maxUnread.get()).as("bytes taps read that the subscriber had not taken")
                .isLessThanOrEqualTo(RECEIVE_BUDGET + (256 << 10));
        assertThat(worst.get().heapAfterGc()).as("heap growth after GC during the transfer (%s)", worst.get())
                .isLessThanOrEqualTo(HEAP_BUDGET);
        assertThat(worst.get().nettyAllocatorDirect()).as("Netty direct memory growth (%s)", worst.get())
                .isLessThanOrEqualTo(HEAP_BUDGET);
        assertThat(reader.signals).last().isEqualTo("onComplete");

        client.close();
        server.close();
        Await.result(client.closed());
        listener.close();
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

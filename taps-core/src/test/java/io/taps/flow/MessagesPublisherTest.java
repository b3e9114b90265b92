package io.taps.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.reliability.MemoryProbe;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code Connection.messages()}, the receive side of issue 22, against plain JDK peers (not taps,
 * not Netty): demand drives Receive and with it the socket's read interest, so a subscriber that
 * does not request makes the peer's writes block with taps holding at most its receive budget; and
 * the Reactive Streams rules that apply, each asserted on its own.
 */
class MessagesPublisherTest extends TapsTestSupport {
    /** The per-Connection receive budget (ReceivePath.RECEIVE_HIGH_WATER), bytes of memory. */
    private static final long BUDGET = 1 << 20;
    /** What one read past the high-water mark may add: Netty's largest read buffer. */
    private static final long READ_OVERSHOOT = 256 << 10;
    private static final Duration STALL = Duration.ofSeconds(1);
    private static Listener listener;

    @BeforeAll
    static void listen() {
        listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(SecurityParameters.disabled()).build().listen();
        Await.result(listener.ready());
    }

    @AfterAll
    static void stop() {
        listener.close();
    }

    @Test
    void aSubscriberThatDoesNotRequestMakesThePeersWritesBlockWithTapsHoldingAtMostItsBudget() throws Exception {
        try (NioPeer peer = new NioPeer(listener.port())) {
            Connection connection = Await.result(listener.accept());
            RecordingSubscriber<Message> subscriber = new RecordingSubscriber<>();
            connection.messages().subscribe(subscriber);
            subscriber.request(4);
            MemoryProbe.Snapshot before = MemoryProbe.measure();

            boolean blocked = peer.writeUntilBlocked(512L << 20, STALL);
            await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.items.get() == 4);

            long buffered = connection.transferReport().bytesReceived() - subscriber.bytes.get();
            MemoryProbe.Snapshot grown = MemoryProbe.measure().minus(before);
            System.out.printf("peer blocked after %,d bytes; taps buffered %,d bytes; memory grew %s%n",
                    peer.written(), buffered, grown);
            assertThat(blocked).as("the peer's writes block (socket buffers full) within 512 MiB").isTrue();
            assertThat(buffered).as("bytes taps read but the subscriber has not requested")
                    .isLessThanOrEqualTo(BUDGET + READ_OVERSHOOT);
            assertThat(grown.total()).as("memory while the peer is blocked (%s)", grown)
                    .isLessThanOrEqualTo(4 * BUDGET);
            assertThat(subscriber.items.get()).as("onNext calls for request(4)").isEqualTo(4);

            // A slow subscriber, one Message at a time, still gets every byte, in order.
            subscriber.onItem(message -> subscriber.request(1));
            subscriber.request(1);
            long total = 48L << 20;
            CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> finish(peer, total));
            Await.result(subscriber.done, Duration.ofSeconds(60));
            Await.result(rest);
            assertThat(subscriber.bytes.get()).isEqualTo(peer.written());
            assertThat(subscriber.digest()).isEqualTo(peer.digest.digest());
            assertThat(subscriber.maxConcurrent.get()).as("onNext calls at once").isEqualTo(1);
        }
    }

    @Test
    void demandIsRespected_neverMoreOnNextThanRequested() throws Exception {
        try (NioPeer peer = new NioPeer(listener.port())) {
            Connection connection = Await.result(listener.accept());
            RecordingSubscriber<Message> subscriber = new RecordingSubscriber<>();
            connection.messages().subscribe(subscriber);
            assertThat(peer.writeUntilBlocked(512L << 20, STALL)).isTrue();
            // Megabytes wait in taps and in the socket, and nothing was requested: no onNext.
            assertThat(connection.transferReport().bytesReceived()).isGreaterThan(BUDGET / 2);
            assertThat(subscriber.signals).containsExactly("onSubscribe");
            subscriber.request(3);
            await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.items.get() >= 3);
            // A later request is served after the earlier ones: the 3 are all there were.
            subscriber.request(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.items.get() >= 4);
            assertThat(subscriber.items.get()).isEqualTo(4);
            connection.abort();
        }
    }

    @Test
    void cancelStopsReading_andANewSubscriberGetsTheRestWithNothingLost() throws Exception {
        try (NioPeer peer = new NioPeer(listener.port())) {
            Connection connection = Await.result(listener.accept());
            MessageDigest received = StreamData.sha256();
            AtomicInteger atCancel = new AtomicInteger(-1);
            RecordingSubscriber<Message> first = new RecordingSubscriber<>();
            first.onItem(message -> {
                received.update(message.asByteBuffer());
                if (first.bytes.get() >= 2 * BUDGET && atCancel.get() < 0) {
                    first.cancel();
                    atCancel.set(first.items.get());
                }
            });
            connection.messages().subscribe(first);
            first.request(Long.MAX_VALUE);
            CompletableFuture<Boolean> blocked = CompletableFuture.supplyAsync(() -> writeUntilBlocked(peer));
            await().atMost(Duration.ofSeconds(20)).until(() -> atCancel.get() >= 0);
            assertThat(Await.result(blocked, Duration.ofSeconds(60))).as("the peer blocks once the subscriber cancelled")
                    .isTrue();
            long buffered = connection.transferReport().bytesReceived() - first.bytes.get();
            assertThat(buffered).as("bytes read after cancel").isLessThanOrEqualTo(BUDGET + READ_OVERSHOOT);
            assertThat(first.items.get()).as("no onNext after cancel").isEqualTo(atCancel.get());

            RecordingSubscriber<Message> second = new RecordingSubscriber<Message>()
                    .onItem(message -> received.update(message.asByteBuffer())).autoRequest();
            connection.messages().subscribe(second);
            long total = 24L << 20;
            CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> finish(peer, total));
            Await.result(second.done, Duration.ofSeconds(60));
            Await.result(rest);
            assertThat(first.bytes.get() + second.bytes.get()).isEqualTo(peer.written());
            assertThat(received.digest()).isEqualTo(peer.digest.digest());
            assertThat(first.signals).doesNotContain("onComplete").noneMatch(s -> s.startsWith("onError"));
        }
    }

    @Test
    void noOnNextAfterOnComplete_andTheLastMessageIsTheEndOfStream() throws Exception {
        try (Socket peer = new Socket()) {
            peer.connect(new InetSocketAddress("127.0.0.1", listener.port()), 10_000);
            Connection connection = Await.result(listener.accept());
            MessageDigest sent = StreamData.sha256();
            OutputStream out = peer.getOutputStream();
            for (int i = 0; i < 48; i++) {
                byte[] chunk = StreamData.chunk(i, 64 * 1024);
                sent.update(chunk);
                out.write(chunk);
            }
            peer.shutdownOutput();
            List<Message> last = new java.util.concurrent.CopyOnWriteArrayList<>();
            RecordingSubscriber<Message> subscriber = new RecordingSubscriber<Message>().autoRequest()
                    .onItem(message -> last.add(0, message));
            connection.messages().subscribe(subscriber);
            Await.result(subscriber.done);
            assertThat(subscriber.signals.get(0)).isEqualTo("onSubscribe");
            assertThat(subscriber.signals.subList(1, subscriber.signals.size() - 1)).containsOnly("onNext");
            assertThat(subscriber.signals.get(subscriber.signals.size() - 1)).isEqualTo("onComplete");
            // The end of stream is onComplete; it rides on the last Message when it came with data
            // (an empty end-of-stream Message is not emitted), never on an earlier one.
            assertThat(last.subList(1, last.size())).noneMatch(Message::endOfStream);
            assertThat(subscriber.digest()).isEqualTo(sent.digest());

            // More demand after the end changes nothing; a later subscriber learns the end at once.
            int signals = subscriber.signals.size();
            subscriber.request(10);
            RecordingSubscriber<Message> later = new RecordingSubscriber<>();
            connection.messages().subscribe(later);
            Await.result(later.done);
            assertThat(later.signals).containsExactly("onSubscribe", "onComplete");
            assertThat(subscriber.signals).hasSize(signals);
            connection.close();
        }
    }

    @Test
    void oneSubscriberAtATime_aSecondGetsIllegalStateException() throws Exception {
        try (Socket peer = new Socket()) {
            peer.connect(new InetSocketAddress("127.0.0.1", listener.port()), 10_000);
            Connection connection = Await.result(listener.accept());
            RecordingSubscriber<Message> first = new RecordingSubscriber<>();
            connection.messages().subscribe(first);
            RecordingSubscriber<Message> second = new RecordingSubscriber<>();
            connection.messages().subscribe(second);
            assertThat(second.signals).containsExactly("onSubscribe", "onError:IllegalStateException");
            assertThat(Await.failure(second.done)).hasMessageContaining("already has a subscriber");

            // The first is unaffected.
            peer.getOutputStream().write("still here".getBytes());
            first.request(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> first.items.get() == 1);
            assertThat(first.signals).containsExactly("onSubscribe", "onNext");
            connection.abort();
        }
    }

    @Test
    void aNonPositiveRequestEndsTheSubscriptionWithIllegalArgumentException() throws Exception {
        try (Socket peer = new Socket()) {
            peer.connect(new InetSocketAddress("127.0.0.1", listener.port()), 10_000);
            Connection connection = Await.result(listener.accept());
            RecordingSubscriber<Message> subscriber = new RecordingSubscriber<>();
            connection.messages().subscribe(subscriber);
            subscriber.request(0);
            assertThat(Await.failure(subscriber.done)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("3.9");
            connection.abort();
        }
    }

    @Test
    void aConnectionErrorIsOnError() throws Exception {
        NioPeer peer = new NioPeer(listener.port());
        Connection connection = Await.result(listener.accept());
        RecordingSubscriber<Message> subscriber = new RecordingSubscriber<>();
        connection.messages().subscribe(subscriber);
        subscriber.request(Long.MAX_VALUE);
        peer.reset();
        assertThat(Await.failure(subscriber.done)).isInstanceOf(TransportServicesException.class);
        assertThat(subscriber.signals).last().asString().startsWith("onError");
        assertThat(subscriber.signals).doesNotContain("onComplete");
    }

    private static boolean writeUntilBlocked(NioPeer peer) {
        try {
            return peer.writeUntilBlocked(512L << 20, STALL);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void finish(NioPeer peer, long total) {
        try {
            peer.finish(total);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

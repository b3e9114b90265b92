package io.taps.connection;

import static io.taps.connection.BorrowedFixtures.jdkClient;
import static io.taps.connection.BorrowedFixtures.outcome;
import static io.taps.connection.BorrowedFixtures.readFrame;
import static io.taps.connection.BorrowedFixtures.writeFrame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.connection.BorrowedFixtures.Borrowing;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.MessageProperties;
import io.taps.reliability.NettyLeakDetection;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The loan of a borrowed Message ({@code receiveBorrowedWithEvents}): its bytes are readable only
 * by the thread running its handler and only until that handler returns. Proven with real
 * Connections (a taps Listener with the length-prefix framer, JDK socket clients): every method
 * that reads the bytes of a borrowed Message, or of a view of it ({@code withContext},
 * {@code withEndOfMessage}), throws IllegalStateException once the handler returned, even on the
 * very thread that ran it (in the next handler), and so does sending it; another thread cannot read
 * it while the handler runs; a handler that throws ends the loan too; {@code context()} and
 * {@code keep()}'s copy stay usable. {@code isBorrowed()} tells lent from owned Messages exactly as
 * Connection#receiveBorrowedWithEvents documents (owned when the handler's own Receive finds the
 * data queued, with a handler executor, and for plain receiveWithEvents), and application-made
 * Messages are owned. Every test runs under Netty's leak detector at PARANOID, which also checks that
 * Sends of borrowed Messages that are never written (on an aborted Connection, expiring in a
 * blocked queue, dropped by Abort) release the bytes they hold.
 */
@ExtendWith(NettyLeakDetection.class)
class BorrowedLoanTest extends PerTestTransportServices {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ISE = "IllegalStateException";


    @Test
    void aBorrowedMessageAndItsViewsCannotBeReadNorSentOnceItsHandlerReturned() throws Exception {
        AtomicReference<Message> first = new AtomicReference<>();
        AtomicReference<Message> view = new AtomicReference<>();
        AtomicReference<Message> partView = new AtomicReference<>();
        AtomicReference<Message> kept = new AtomicReference<>();
        AtomicReference<Connection> server = new AtomicReference<>();
        Map<String, String> inHandler = new ConcurrentHashMap<>();
        Map<String, String> inNextHandler = new ConcurrentHashMap<>();
        CompletableFuture<Void> nextHandlerDone = new CompletableFuture<>();
        Borrowing handler = new Borrowing((connection, message) -> {
            if (first.compareAndSet(null, message)) {
                server.set(connection);
                view.set(message.withContext(MessageContext.create()));
                partView.set(message.withEndOfMessage(false));
                kept.set(message.keep());
                inHandler.put("isBorrowed", String.valueOf(message.isBorrowed()));
                inHandler.put("asString", message.asString());
                inHandler.put("length", String.valueOf(message.length()));
                inHandler.put("view", view.get().asString());
                inHandler.put("partView", partView.get().asString());
                connection.receiveBorrowedWithEvents(Integer.MAX_VALUE, Integer.MAX_VALUE);
                return;
            }
            // The next handler, on the same event loop thread: the first one has returned.
            Message old = first.get();
            inNextHandler.putAll(lateReads(old, view.get(), partView.get(), kept.get()));
            inNextHandler.put("send", outcome(() -> connection.send(old)));
            inNextHandler.put("send(message, context, end)",
                    outcome(() -> connection.send(old, MessageContext.create(), true)));
            inNextHandler.put("sendWithEvents", outcome(() -> connection.sendWithEvents(old)));
            inNextHandler.put("sendWithEvents(view)", outcome(() -> connection.sendWithEvents(view.get())));
            nextHandlerDone.complete(null);
        });
        try (Listener listener = BorrowedFixtures.framedListener(taps, handler, Integer.MAX_VALUE);
                Socket client = jdkClient(listener.port())) {
            DataOutputStream out = new DataOutputStream(client.getOutputStream());
            writeFrame(out, "the first Message".getBytes(StandardCharsets.UTF_8));
            await().atMost(WAIT).until(() -> first.get() != null);
            writeFrame(out, "the second".getBytes(StandardCharsets.UTF_8));
            Await.result(nextHandlerDone, WAIT);

            assertThat(inHandler).as("reads inside the handler").containsEntry("isBorrowed", "true")
                    .containsEntry("asString", "the first Message").containsEntry("length", "17")
                    .containsEntry("view", "the first Message").containsEntry("partView", "the first Message");
            assertThat(inNextHandler).as("reads and sends of the first Message in the next handler, same thread")
                    .hasSize(15).allSatisfy((call, result) -> assertThat(result).as(call).isEqualTo(ISE));
            // This thread, after the handler: the same.
            Message old = first.get();
            assertThat(lateReads(old, view.get(), partView.get(), kept.get()))
                    .allSatisfy((call, result) -> assertThat(result).as(call).isEqualTo(ISE));
            assertThatThrownBy(() -> server.get().send(old)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> server.get().sendWithEvents(view.get())).isInstanceOf(IllegalStateException.class);
            // What does not read the bytes stays usable: the context, the flags, toString for logs.
            assertThat(old.context()).isNotNull();
            assertThat(view.get().context()).isNotNull().isNotSameAs(old.context());
            assertThat(old.endOfMessage()).isTrue();
            assertThat(partView.get().endOfMessage()).isFalse();
            assertThat(old.isBorrowed()).isTrue();
            assertThat(String.valueOf(old)).isNotBlank();
            // keep() made an owned copy that outlives the loan.
            Message copy = kept.get();
            assertThat(copy.isBorrowed()).isFalse();
            assertThat(copy.asString()).isEqualTo("the first Message");
            assertThat(copy.keep()).isSameAs(copy);
            assertThat(copy.context()).isSameAs(old.context());
        }
        assertThat(handler.failures).isEmpty();
    }

    /** Every call that reads the bytes of {@code old} or its views, by name, with what it threw. */
    private static Map<String, String> lateReads(Message old, Message view, Message partView, Message kept) {
        Map<String, String> results = new LinkedHashMap<>();
        results.put("bytes", outcome(old::bytes));
        results.put("length", outcome(old::length));
        results.put("asString", outcome(old::asString));
        results.put("asString(charset)", outcome(() -> old.asString(StandardCharsets.ISO_8859_1)));
        results.put("asByteBuffer", outcome(old::asByteBuffer));
        results.put("contentEquals", outcome(() -> old.contentEquals(kept)));
        results.put("keep", outcome(old::keep));
        results.put("withContext", outcome(() -> old.withContext(MessageContext.create())));
        results.put("withEndOfMessage", outcome(() -> old.withEndOfMessage(true)));
        results.put("view.bytes", outcome(view::bytes));
        results.put("partView.length", outcome(partView::length));
        return results;
    }

    @Test
    void anotherThreadCannotReadABorrowedMessageWhileItsHandlerRuns() throws Exception {
        CompletableFuture<Message> published = new CompletableFuture<>();
        CompletableFuture<Connection> server = new CompletableFuture<>();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> handlerReadAfterwards = new CompletableFuture<>();
        Borrowing handler = new Borrowing((connection, message) -> {
            server.complete(connection);
            published.complete(message);
            try {
                if (!release.await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("the test never released the handler");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // The handler's own thread still reads it, although another thread just failed to.
            handlerReadAfterwards.complete(message.asString());
        });
        try (Listener listener = BorrowedFixtures.framedListener(taps, handler, Integer.MAX_VALUE);
                Socket client = jdkClient(listener.port())) {
            writeFrame(new DataOutputStream(client.getOutputStream()), bytes("held by its handler"));
            Message message = Await.result(published, WAIT);
            try {
                assertThat(message.isBorrowed()).isTrue();
                assertThatThrownBy(message::bytes).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(message::length).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(message::asString).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(message::asByteBuffer).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(message::keep).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> message.withContext(MessageContext.create()))
                        .isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> message.withEndOfMessage(false)).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> message.contentEquals(Message.of("held by its handler")))
                        .isInstanceOf(IllegalStateException.class);
                // An owned Message compared with it reads it too.
                assertThatThrownBy(() -> Message.of("held by its handler").contentEquals(message))
                        .isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> Await.result(server, WAIT).send(message))
                        .isInstanceOf(IllegalStateException.class);
                assertThat(message.context()).isNotNull();
            } finally {
                release.countDown();
            }
            assertThat(Await.result(handlerReadAfterwards, WAIT)).isEqualTo("held by its handler");
        }
        assertThat(handler.failures).isEmpty();
    }

    @Test
    void aHandlerThatThrowsStillEndsTheLoanAndTheConnectionGoesOn() throws Exception {
        AtomicReference<Message> thrownFrom = new AtomicReference<>();
        CompletableFuture<String> laterRead = new CompletableFuture<>();
        ConnectionEventHandler handler = new ConnectionEventHandler() {
            @Override
            public void received(Connection connection, Message message) {
                connection.receiveBorrowedWithEvents(Integer.MAX_VALUE, Integer.MAX_VALUE);
                if (thrownFrom.compareAndSet(null, message)) {
                    throw new IllegalArgumentException("an application bug in the handler (expected by the test)");
                }
                laterRead.complete(outcome(thrownFrom.get()::bytes));
                connection.sendWithEvents(message);
            }
        };
        try (Listener listener = BorrowedFixtures.framedListener(taps, handler, Integer.MAX_VALUE);
                Socket client = jdkClient(listener.port())) {
            DataOutputStream out = new DataOutputStream(client.getOutputStream());
            byte[] large = new byte[5000];
            Arrays.fill(large, (byte) 'x');
            writeFrame(out, large);
            await().atMost(WAIT).until(() -> thrownFrom.get() != null);
            writeFrame(out, "after the throw".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(readFrame(new DataInputStream(client.getInputStream())), StandardCharsets.UTF_8))
                    .as("the next Message is echoed").isEqualTo("after the throw");
            assertThat(Await.result(laterRead, WAIT)).as("reading the Message whose handler threw").isEqualTo(ISE);
            assertThatThrownBy(thrownFrom.get()::length).isInstanceOf(IllegalStateException.class);
        }
    }

    /**
     * A lent A (from a read, Receive waiting); B lent too, from a Receive this thread makes with B
     * and C already queued; C an owned copy, because B's handler made its Receive with C queued;
     * then, each from a read, D (receiveWithEvents), E (borrowed, maxLength 100000: a Receive that
     * is not parked), F (receiveWithEvents, 100000) and G (borrowed, parked). Afterwards the lent
     * ones throw and the owned ones read.
     */
    @Test
    void isBorrowedTellsLentFromOwnedMessagesAsTheReceiveAndItsTimingDecide() throws Exception {
        List<Message> delivered = new CopyOnWriteArrayList<>();
        List<Boolean> lent = new CopyOnWriteArrayList<>();
        AtomicReference<Connection> server = new AtomicReference<>();
        List<Consumer<Connection>> nextReceives = List.of(
                c -> { }, // after A: no Receive; this thread makes the next
                c -> c.receiveBorrowedWithEvents(1, Integer.MAX_VALUE), // after B: finds C queued
                c -> c.receiveWithEvents(1, Integer.MAX_VALUE), // for D
                c -> c.receiveBorrowedWithEvents(1, 100_000), // for E
                c -> c.receiveWithEvents(1, 100_000), // for F
                c -> c.receiveBorrowedWithEvents(1, Integer.MAX_VALUE), // for G
                c -> { });
        Borrowing handler = new Borrowing((connection, message) -> {
            server.set(connection);
            lent.add(message.isBorrowed());
            delivered.add(message);
            nextReceives.get(delivered.size() - 1).accept(connection);
        });
        try (Listener listener = BorrowedFixtures.framedListener(taps, handler, Integer.MAX_VALUE);
                Socket client = jdkClient(listener.port())) {
            DataOutputStream out = new DataOutputStream(client.getOutputStream());
            writeFrame(out, bytes("A"));
            await().atMost(WAIT).until(() -> delivered.size() == 1);
            writeFrame(out, bytes("B"));
            writeFrame(out, bytes("C"));
            out.flush();
            await().atMost(WAIT).until(() -> server.get().transferReport().messagesReceived() == 3);
            server.get().receiveBorrowedWithEvents(1, Integer.MAX_VALUE);
            await().atMost(WAIT).until(() -> delivered.size() == 3);
            for (String next : List.of("D", "E", "F", "G")) {
                int before = delivered.size();
                writeFrame(out, bytes(next));
                await().atMost(WAIT).until(() -> delivered.size() == before + 1);
            }
        }
        assertThat(handler.failures).isEmpty();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < delivered.size(); i++) {
            Message message = delivered.get(i);
            texts.add(message.isBorrowed() ? outcome(message::asString) : message.asString());
        }
        assertThat(lent).as("isBorrowed() of A to G in their handlers")
                .containsExactly(true, true, false, false, true, false, true);
        assertThat(texts).as("what reading A to G gives after their handlers")
                .containsExactly(ISE, ISE, "C", "D", ISE, "F", ISE);
        assertThat(delivered.get(2).keep()).as("an owned Message keeps itself").isSameAs(delivered.get(2));
    }

    /**
     * With a handler executor taps does not lend (Connection#receiveBorrowedWithEvents): every
     * Message is an owned copy, readable in its handler on the executor's thread and afterwards, and
     * an echo of it from that thread arrives intact.
     */
    @Test
    void withAHandlerExecutorMessagesAreOwnedCopiesReadableInAndAfterTheHandler() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(2, task -> {
            Thread thread = new Thread(task, "borrowed-test-executor");
            thread.setDaemon(true);
            return thread;
        });
        List<Message> delivered = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        List<String> readInHandler = new CopyOnWriteArrayList<>();
        Borrowing echo = new Borrowing((connection, message) -> {
            if (message.endOfStream()) {
                return; // the client's FIN, once it has closed
            }
            threads.add(Thread.currentThread().getName());
            readInHandler.add(message.asString());
            delivered.add(message);
            connection.sendWithEvents(message);
            connection.receiveBorrowedWithEvents(Integer.MAX_VALUE, Integer.MAX_VALUE);
        });
        TransportServices withExecutor = TransportServices.builder().eventLoopThreads(1).eventExecutor(executor)
                .build();
        List<String> sent = new ArrayList<>();
        try (withExecutor; Listener listener = BorrowedFixtures.framedListener(withExecutor, echo, Integer.MAX_VALUE);
                Socket client = jdkClient(listener.port())) {
            DataOutputStream out = new DataOutputStream(client.getOutputStream());
            DataInputStream in = new DataInputStream(client.getInputStream());
            for (int i = 0; i < 50; i++) {
                String text = "message " + i + " " + "y".repeat(i * 97);
                sent.add(text);
                writeFrame(out, bytes(text));
                assertThat(new String(readFrame(in), StandardCharsets.UTF_8)).isEqualTo(text);
            }
        } finally {
            executor.shutdownNow();
        }
        assertThat(echo.failures).isEmpty();
        assertThat(threads).hasSize(50).allMatch("borrowed-test-executor"::equals);
        assertThat(readInHandler).isEqualTo(sent);
        assertThat(delivered).as("owned copies").hasSize(50).noneMatch(Message::isBorrowed);
        assertThat(delivered).extracting(Message::asString).as("read after their handlers").isEqualTo(sent);
    }

    /**
     * Sends of borrowed Messages that are never written must release the bytes they took (a copy
     * of a small one, a retained slice of the receive buffer for one above 2 KiB): 2000 Messages
     * sent on a Connection already aborted, then 2000 on one whose queue is blocked behind a write
     * the peer never reads, half of them expiring (msgLifetime 20 ms) and half dropped by Abort.
     * The leak detector (PARANOID) fails the test on any buffer left retained.
     */
    @Test
    void sendsOfBorrowedMessagesThatAreNeverWrittenReleaseTheirBytes() throws Exception {
        int count = 2000;
        CompletableFuture<Void> peerRelease = new CompletableFuture<>();
        try (ServerSocket peers = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            // A peer that accepts and never reads.
            Thread peer = new Thread(() -> {
                List<Socket> held = new ArrayList<>();
                try {
                    for (int i = 0; i < 2; i++) {
                        held.add(peers.accept());
                    }
                    peerRelease.get(60, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // closing the server ends the wait
                } finally {
                    held.forEach(socket -> {
                        try {
                            socket.close();
                        } catch (IOException ignored) {
                            // nothing to do
                        }
                    });
                }
            }, "never-reading-peer");
            peer.setDaemon(true);
            peer.start();
            Connection aborted = connectTo(peers.getLocalPort(), new ConnectionEventHandler() { });
            aborted.abort();
            Await.failure(aborted.closed(), WAIT);
            List<String> expiredEvents = new CopyOnWriteArrayList<>();
            Connection blocked = connectTo(peers.getLocalPort(), new ConnectionEventHandler() {
                @Override
                public void expired(Connection connection, MessageContext context) {
                    expiredEvents.add("Expired");
                }
            });
            // 32 MB the peer never reads: the socket buffers fill, the Connection stops being writable.
            CompletableFuture<MessageContext> stuck = blocked.send(Message.wrap(new byte[32 << 20]))
                    .toCompletableFuture();
            MessageContext shortLived = MessageContext.of(MessageProperties.builder()
                    .msgLifetime(Duration.ofMillis(20)).build());
            List<CompletableFuture<MessageContext>> onAborted = new CopyOnWriteArrayList<>();
            List<CompletableFuture<MessageContext>> expiring = new CopyOnWriteArrayList<>();
            List<CompletableFuture<MessageContext>> dropped = new CopyOnWriteArrayList<>();
            AtomicInteger index = new AtomicInteger();
            AtomicInteger owned = new AtomicInteger();
            Borrowing forwarder = new Borrowing((connection, message) -> {
                if (message.endOfStream()) {
                    return; // the client's FIN, once it has closed
                }
                if (!message.isBorrowed()) {
                    owned.incrementAndGet();
                }
                int i = index.getAndIncrement();
                onAborted.add(aborted.send(message).toCompletableFuture());
                aborted.sendWithEvents(message);
                switch (i % 4) {
                    case 0 -> expiring.add(blocked.send(message.withContext(shortLived)).toCompletableFuture());
                    case 1 -> blocked.sendWithEvents(message.withContext(shortLived));
                    case 2 -> dropped.add(blocked.send(message).toCompletableFuture());
                    default -> blocked.sendWithEvents(message);
                }
                connection.receiveBorrowedWithEvents(Integer.MAX_VALUE, Integer.MAX_VALUE);
            });
            try (Listener listener = BorrowedFixtures.framedListener(taps, forwarder, Integer.MAX_VALUE);
                    Socket client = jdkClient(listener.port())) {
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(client.getOutputStream()));
                for (int i = 0; i < count; i++) {
                    // Both kinds of carried bytes: a copy (up to 2 KiB) and a retained slice (above).
                    writeFrame(out, new byte[i % 2 == 0 ? 100 + i % 1000 : 2100 + i % 2000]);
                }
                out.flush();
                await().atMost(WAIT).until(() -> index.get() == count);
                await().atMost(WAIT).until(() -> expiring.stream().allMatch(CompletableFuture::isDone)
                        && expiredEvents.size() == count / 2);
                assertThat(stuck).as("the 32 MB write still blocks the queue").isNotDone();
                blocked.abort();
                await().atMost(WAIT).until(() -> onAborted.size() == count
                        && onAborted.stream().allMatch(CompletableFuture::isDone)
                        && dropped.stream().allMatch(CompletableFuture::isDone));
            } finally {
                peerRelease.complete(null);
            }
            assertThat(forwarder.failures).isEmpty();
            assertThat(owned.get()).as("forwarded Messages that were not borrowed").isZero();
            assertThat(onAborted).as("Sends on the aborted Connection")
                    .allMatch(CompletableFuture::isCompletedExceptionally);
            assertThat(expiring).hasSize(count / 4).allSatisfy(send -> assertThat(reason(send))
                    .isEqualTo(ErrorReason.TIMEOUT));
            assertThat(dropped).hasSize(count / 4).allMatch(CompletableFuture::isCompletedExceptionally);
            Await.failure(blocked.closed(), WAIT);
        }
    }

    private static ErrorReason reason(CompletableFuture<MessageContext> send) {
        Throwable failure = Await.failure(send);
        return ((TransportServicesException) failure).reason();
    }

    private Connection connectTo(int port, ConnectionEventHandler handler) {
        Connection connection = taps.preconnection()
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", port))
                .security(SecurityParameters.disabled()).build().initiate(handler);
        Await.result(connection.ready(), WAIT);
        return connection;
    }

    /** Messages the application makes are owned: isBorrowed() false, keep() the Message itself. */
    @Test
    void messagesTheApplicationMakesAreOwnedAndKeepThemselves() {
        List<Supplier<Message>> makers = List.of(() -> Message.of("text"), () -> Message.of(new byte[] {1, 2, 3}),
                () -> Message.wrap(new byte[] {4, 5}), () -> Message.of(ByteBuffer.wrap(new byte[] {6})),
                Message::empty, () -> Message.of("view").withContext(MessageContext.create()),
                () -> Message.of("part").withEndOfMessage(false));
        for (Supplier<Message> maker : makers) {
            Message message = maker.get();
            assertThat(message.isBorrowed()).as("%s isBorrowed", message).isFalse();
            assertThat(message.keep()).as("%s keep()", message).isSameAs(message);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

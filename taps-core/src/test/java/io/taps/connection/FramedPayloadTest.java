package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.Preconnection;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.Framer;
import io.taps.framer.FramerContext;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The payload a framer gets (RFC 9623 §6.2 NewSentMessage; issue 21, send path): for a small
 * Message a pooled copy of its own, never the application's array, so a framer can never change the
 * application's bytes, and nothing of the Message is kept once the framer let go of it (session 18:
 * the view of the array SendPath used to keep for a resend pinned an echo server's last answer and
 * cost ~104 B of wrappers per answer); for a large one a read-only view of the array, not a copy of
 * its size. A framer that keeps payloads past the write (to release them later) keeps them to
 * itself, and every byte still reaches a peer that is not taps (a JDK socket, SHA-256 compared).
 */
class FramedPayloadTest extends TapsTestSupport {
    private static final int ROUNDS = 200;

    @Test
    void aSmallMessageReachesTheFramerAsACopyItMayWriteIntoWithoutChangingTheApplicationsArray() throws Exception {
        Recording recording = new Recording(0);
        recording.scribble = true;
        byte[] sent = run(recording);
        assertThat(recording.applicationArrays).as("payloads backed by the application's array").hasValue(0);
        assertThat(recording.scribbled).as("payloads the framer could write into").hasValue(ROUNDS);
        assertThat(sent).as("the application's array is unchanged").isEqualTo(payload());
    }

    @Test
    void aFramerKeepingPayloadsPastTheWriteGetsIntactBytesEveryTime() throws Exception {
        Recording recording = new Recording(8);
        byte[] sent = run(recording);
        assertThat(recording.applicationArrays).as("payloads backed by the application's array").hasValue(0);
        // Each kept payload still shows the Message's bytes when the framer finally frames it.
        assertThat(recording.corrupted).isEmpty();
        assertThat(recording.distinct.size()).as("payloads handed out while the framer keeps them").isGreaterThan(1);
        assertThat(sent).as("the application's array is unchanged").isEqualTo(payload());
    }

    @Test
    void aLargeMessageReachesTheFramerAsAReadOnlyViewOfItsArray() throws Exception {
        Recording recording = new Recording(0);
        run(recording, 4096, 20);
        assertThat(recording.readOnly).as("payloads of 4 KiB that were read-only views").hasValue(20);
        assertThat(recording.applicationArrays).as("views of the application's array, not copies").hasValue(20);
    }

    private static byte[] payload() {
        return payload(64);
    }

    private static byte[] payload(int length) {
        byte[] payload = new byte[length];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 29 + 3);
        }
        return payload;
    }

    /** Sends one Message ROUNDS times from its Sent events through {@code recording}; returns its array. */
    private byte[] run(Recording recording) throws Exception {
        return run(recording, 64, ROUNDS);
    }

    private byte[] run(Recording recording, int length, int rounds) throws Exception {
        byte[] payload = payload(length);
        recording.applicationArray = payload;
        Message message = Message.wrap(payload);
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < rounds; i++) {
            expected.update(payload);
        }
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> peerDigest = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = listener.accept()) {
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    MessageDigest digest = MessageDigest.getInstance("SHA-256");
                    byte[] frame = new byte[payload.length];
                    for (int i = 0; i < rounds; i++) {
                        assertThat(in.readInt()).isEqualTo(payload.length);
                        in.readFully(frame);
                        digest.update(frame);
                    }
                    byte[] result = digest.digest();
                    // Open until taps closes, so that taps' Close is not met by a reset.
                    assertThat(in.read()).as("bytes after the last frame").isEqualTo(-1);
                    return result;
                } catch (Exception | AssertionError e) {
                    throw new IllegalStateException(e);
                }
            });
            Preconnection tcp = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.getLocalPort()))
                    .security(SecurityParameters.disabled()).build();
            tcp.addFramer(() -> recording);
            Resender events = new Resender(message, rounds);
            Connection connection = tcp.initiate(events);
            try {
                Await.result(connection.ready());
                connection.sendWithEvents(message);
                Await.result(events.done, Duration.ofSeconds(30));
                assertThat(events.errors).isEmpty();
            } finally {
                connection.close();
                Await.result(connection.closed());
            }
            assertThat(Await.result(peerDigest, Duration.ofSeconds(30))).isEqualTo(expected.digest());
        }
        return payload;
    }

    /**
     * A 4-byte length-prefix framer that records the payloads it is given and, with {@code keep}
     * above 0, frames each only after {@code keep} more have arrived (holding it meanwhile). With
     * {@code scribble}, it overwrites every writable payload after reading it and frames what it read.
     */
    private static final class Recording implements Framer {
        private final Framer lengthPrefix = LengthPrefixFramer.factory(4).newFramer();
        private final int keep;
        private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
        private final ArrayDeque<MessageContext> heldContexts = new ArrayDeque<>();
        final AtomicInteger readOnly = new AtomicInteger();
        final AtomicInteger applicationArrays = new AtomicInteger();
        final AtomicInteger scribbled = new AtomicInteger();
        volatile byte[] applicationArray;
        boolean scribble;
        final Set<ByteBuf> distinct = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        final List<Integer> corrupted = new CopyOnWriteArrayList<>();
        private int framed;

        Recording(int keep) {
            this.keep = keep;
        }

        @Override
        public void newSentMessage(FramerContext context, ByteBuf data, MessageContext messageContext,
                boolean endOfMessage) {
            if (data.isReadOnly()) {
                readOnly.incrementAndGet();
            }
            distinct.add(data);
            if (data.hasArray() && data.array() == applicationArray
                    || data.isReadOnly() && data.unwrap() != null && data.unwrap().hasArray()
                    && data.unwrap().array() == applicationArray) {
                applicationArrays.incrementAndGet();
            }
            if (scribble && !data.isReadOnly()) {
                ByteBuf original = context.alloc().buffer(data.readableBytes()).writeBytes(data, data.readerIndex(),
                        data.readableBytes());
                data.setZero(data.readerIndex(), data.readableBytes());
                data.release();
                scribbled.incrementAndGet();
                lengthPrefix.newSentMessage(context, original, messageContext, endOfMessage);
                return;
            }
            if (keep == 0) {
                lengthPrefix.newSentMessage(context, data, messageContext, endOfMessage);
                return;
            }
            held.add(data);
            heldContexts.add(messageContext);
            // The last Messages go out at once, so that the peer gets them all.
            while (held.size() > keep || !held.isEmpty() && framed + held.size() >= ROUNDS) {
                ByteBuf oldest = held.poll();
                byte[] bytes = new byte[oldest.readableBytes()];
                oldest.getBytes(oldest.readerIndex(), bytes);
                if (!java.util.Arrays.equals(bytes, payload())) {
                    corrupted.add(framed);
                }
                framed++;
                lengthPrefix.newSentMessage(context, oldest, heldContexts.poll(), true);
            }
        }

        @Override
        public void handleReceivedData(FramerContext context) {
            lengthPrefix.handleReceivedData(context);
        }
    }

    private static final class Resender implements ConnectionEventHandler {
        private final Message repeat;
        private final AtomicInteger remaining;
        final List<TransportServicesException> errors = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Resender(Message repeat, int rounds) {
            this.repeat = repeat;
            this.remaining = new AtomicInteger(rounds);
        }

        @Override
        public void sent(Connection connection, MessageContext context) {
            if (remaining.decrementAndGet() == 0) {
                done.complete(null);
            } else {
                connection.sendWithEvents(repeat);
            }
        }

        @Override
        public void sendError(Connection connection, MessageContext context, TransportServicesException error) {
            errors.add(error);
            done.complete(null);
        }
    }
}

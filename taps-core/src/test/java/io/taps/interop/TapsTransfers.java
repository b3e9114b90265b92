package io.taps.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServices;
import io.taps.interop.ExternalPeers.Digest;
import io.taps.properties.MessageProperties;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;

/** The taps side of an interop transfer: sends and receives a seeded byte stream, hashing it. */
final class TapsTransfers {
    /** Long enough for 100 MB on a busy two-core CI machine; the tests wait on events, never on this. */
    static final Duration TRANSFER = Duration.ofMinutes(3);
    private static final int CHUNK = 256 * 1024;
    private static final int IN_FLIGHT = 16;

    private TapsTransfers() {
    }

    /** Both I/O transports: native epoll and NIO (issue 13: the suite must be green on both). */
    static Stream<String> transports() {
        return Stream.of("epoll", "nio");
    }

    static TransportServices services(String transport) {
        TransportServices services = TransportServices.builder().eventLoopThreads(2)
                .nativeTransport("epoll".equals(transport)).build();
        if (!services.ioTransport().equals(transport)) {
            services.close();
            throw new org.opentest4j.TestAbortedException("*** " + transport + " is not available here ***");
        }
        return services;
    }

    /**
     * Sends {@code size} seeded random bytes as Messages of 256 KiB with at most 16 in flight; the
     * last one carries the Final property (RFC 9622 §9.1.3.5), so taps half-closes after it.
     */
    static Digest send(Connection connection, long size, long seed) {
        Random random = new Random(seed);
        MessageDigest sha = Digest.newSha256();
        ArrayDeque<CompletionStage<MessageContext>> inFlight = new ArrayDeque<>();
        byte[] block = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int length = (int) Math.min(CHUNK, left);
            byte[] chunk = new byte[length];
            for (int offset = 0; offset < length; offset += block.length) {
                random.nextBytes(block);
                System.arraycopy(block, 0, chunk, offset, Math.min(block.length, length - offset));
            }
            sha.update(chunk);
            left -= length;
            Message message = Message.wrap(chunk);
            if (left == 0) {
                message = message.withContext(MessageContext.of(MessageProperties.builder().finalMessage(true).build()));
            }
            inFlight.add(connection.send(message));
            if (inFlight.size() >= IN_FLIGHT) {
                Await.result(inFlight.poll(), TRANSFER);
            }
        }
        while (!inFlight.isEmpty()) {
            Await.result(inFlight.poll(), TRANSFER);
        }
        return new Digest(size, HexFormat.of().formatHex(sha.digest()));
    }

    /** Receives until the peer's end of stream (the last part of the stream Message is Final). */
    static Digest receiveToEnd(Connection connection) {
        MessageDigest sha = Digest.newSha256();
        long total = 0;
        while (true) {
            Message part = Await.result(connection.receive(), TRANSFER);
            byte[] bytes = part.bytes();
            sha.update(bytes);
            total += bytes.length;
            if (part.endOfMessage() && part.context().isFinal()) {
                return new Digest(total, HexFormat.of().formatHex(sha.digest()));
            }
        }
    }

    /**
     * Issue 13, defect 1, the documented model: taps sends 256 KiB and calls Close at once; the peer
     * echoes everything and ends its direction ({@code echoed} completes with the count once it
     * did). Only then does the application Receive: every echoed byte and the peer's end arrive
     * after Close, and Closed follows, with no ReceiveError or ConnectionError.
     */
    static void closeThenReceiveTheEcho(Connection connection, RecordingHandler events, CompletionStage<Long> echoed) {
        byte[] payload = new byte[256 * 1024];
        new Random(7).nextBytes(payload);
        connection.send(Message.of(payload));
        connection.close();
        assertThat(Await.result(echoed, TRANSFER)).as("the peer echoed everything, then ended").isEqualTo(payload.length);
        MessageDigest received = Digest.newSha256();
        long total = 0;
        Message part;
        do {
            part = Await.result(connection.receive(), TRANSFER);
            received.update(part.bytes());
            total += part.length();
        } while (!part.endOfMessage());
        assertThat(total).as("bytes received after Close").isEqualTo(payload.length);
        assertThat(received.digest()).as("SHA-256 of what was received after Close")
                .isEqualTo(Digest.newSha256().digest(payload));
        assertThat(part.context().isFinal()).as("the peer's end ends the Message").isTrue();
        Await.result(connection.closed(), TRANSFER);
        assertThat(events.events()).as("events").endsWith("Closed").doesNotContain("ReceiveError:ConnectionClosed")
                .noneMatch(e -> e.startsWith("ConnectionError"));
    }
}

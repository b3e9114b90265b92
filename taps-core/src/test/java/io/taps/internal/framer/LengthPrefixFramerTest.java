package io.taps.internal.framer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFuture;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The length-prefix framer on the real framer pipeline (RFC 9623 §6.2, §6.3, M-50..M-53). */
class LengthPrefixFramerTest {

    static byte[] frame(int prefixBytes, boolean littleEndian, byte[]... messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] message : messages) {
            ByteBuffer header = ByteBuffer.allocate(8).order(littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            switch (prefixBytes) {
                case 1 -> header.put((byte) message.length);
                case 2 -> header.putShort((short) message.length);
                case 4 -> header.putInt(message.length);
                default -> header.putLong(message.length);
            }
            out.write(header.array(), 0, prefixBytes);
            out.writeBytes(message);
        }
        return out.toByteArray();
    }

    static byte[] bytes(int length, int seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static FramerFactory factory(int prefixBytes, boolean littleEndian, long max) {
        LengthPrefixFramer.Builder builder = LengthPrefixFramer.builder(prefixBytes).maxMessageSize(max);
        if (littleEndian) {
            builder.littleEndian();
        }
        return builder.factory();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8})
    void deframesAtEveryByteBoundaryIncludingEmptyAndMaxSizeMessages(int prefixBytes) {
        int max = prefixBytes == 1 ? 255 : 300;
        for (boolean littleEndian : new boolean[] {false, true}) {
            byte[][] messages = {bytes(5, 1), new byte[0], bytes(max, 2), bytes(1, 3), new byte[0]};
            byte[] wire = frame(prefixBytes, littleEndian, messages);
            for (int split = 0; split <= wire.length; split++) {
                try (FramerHarness harness = new FramerHarness(factory(prefixBytes, littleEndian, max)).start()) {
                    harness.feed(wire, 0, split).feed(wire, split, wire.length);
                    List<FramerHarness.Whole> received = harness.messages();
                    assertThat(received).hasSize(messages.length);
                    for (int i = 0; i < messages.length; i++) {
                        assertThat(received.get(i).bytes()).isEqualTo(messages[i]);
                    }
                    assertThat(harness.failures).isEmpty();
                }
            }
        }
    }

    @Test
    void deframesByteByByte() {
        byte[][] messages = {bytes(70, 1), new byte[0], bytes(3, 2)};
        byte[] wire = frame(4, false, messages);
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4)).start()) {
            for (int i = 0; i < wire.length; i++) {
                harness.feed(wire, i, i + 1);
            }
            assertThat(harness.messages()).extracting(FramerHarness.Whole::bytes).containsExactly(messages);
            // The 70-byte body arrived a byte at a time and went up as it arrived (earmarked).
            assertThat(harness.messages().get(0).parts()).isEqualTo(70);
        }
    }

    @Test
    void manyMessagesInOneRead() {
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            messages.add(bytes(i % 97, i));
        }
        byte[] wire = frame(2, false, messages.toArray(byte[][]::new));
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(2)).start()) {
            harness.feed(wire);
            assertThat(harness.messages()).hasSize(2000);
            for (int i = 0; i < 2000; i++) {
                assertThat(harness.messages().get(i).bytes()).isEqualTo(messages.get(i));
                assertThat(harness.messages().get(i).parts()).isEqualTo(1);
            }
        }
    }

    @Test
    void largeMessageIsDeliveredAsItArrivesNotBufferedWhole_M52() {
        byte[] big = bytes(1 << 20, 7);
        byte[] wire = frame(4, false, big);
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4)).start()) {
            for (int offset = 0; offset < wire.length; offset += 4096) {
                harness.feed(wire, offset, Math.min(wire.length, offset + 4096));
                assertThat(harness.lowest().buffered()).isLessThan(4096);
            }
            assertThat(harness.messages()).hasSize(1);
            assertThat(harness.messages().get(0).bytes()).isEqualTo(big);
            assertThat(harness.messages().get(0).parts()).isGreaterThan(200);
        }
    }

    @Test
    void sendsHeaderPlusTheOriginalBytesWithoutCopying_M50() {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4)).start()) {
            byte[] payload = bytes(HeaderCodec.SMALL_PAYLOAD + 1, 9);
            harness.send(payload, MessageContext.create(), true);
            Object written = harness.channel.readOutbound();
            assertThat(written).isInstanceOf(CompositeByteBuf.class);
            CompositeByteBuf composite = (CompositeByteBuf) written;
            assertThat(composite.numComponents()).isEqualTo(2);
            ByteBuf body = composite.component(1);
            assertThat(body.hasArray()).isTrue();
            assertThat(body.array()).isSameAs(payload);
            byte[] all = new byte[composite.readableBytes()];
            composite.readBytes(all);
            composite.release();
            assertThat(all).isEqualTo(frame(4, false, payload));
        }
    }

    /** A small heap payload goes out with its header in one direct buffer: the one copy the socket needs anyway. */
    @Test
    void smallHeapPayloadIsWrittenWithItsHeaderAsOneDirectBuffer() {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4)).start()) {
            byte[] payload = bytes(64, 9);
            harness.send(payload, MessageContext.create(), true);
            assertOneDirectFrame(harness, payload);
        }
    }

    private static void assertOneDirectFrame(FramerHarness harness, byte[] payload) {
        ByteBuf written = harness.channel.readOutbound();
        assertThat(written).isNotInstanceOf(CompositeByteBuf.class);
        assertThat(written.isDirect()).isTrue();
        byte[] all = new byte[written.readableBytes()];
        written.readBytes(all);
        written.release();
        assertThat(all).isEqualTo(frame(4, false, payload));
        assertThat((Object) harness.channel.readOutbound()).isNull();
    }

    /**
     * A small direct payload (SendPath copies a small Message into a pooled direct buffer) goes out
     * with its header in one direct buffer too: not as a composite of two, whose write costs a NIO
     * buffer per component.
     */
    @Test
    void smallDirectPayloadIsWrittenWithItsHeaderAsOneDirectBuffer() {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4)).start()) {
            byte[] payload = bytes(64, 9);
            ByteBuf direct = harness.channel.alloc().directBuffer(payload.length).writeBytes(payload);
            harness.send(direct, MessageContext.create(), true);
            assertOneDirectFrame(harness, payload);
            assertThat(direct.refCnt()).as("the framer released the payload it copied").isZero();
        }
    }

    /**
     * A copy whose headroom taps offers for the write under way (SendPath's small framed Message,
     * SendHeadroom) goes out as itself, its header written in place: one pooled buffer per framed
     * send, not a second one the Message is copied into. A buffer not offered, or offered and
     * withdrawn before the write, is never written in front of its bytes.
     */
    @Test
    void aCopyWithOfferedHeadroomGoesOutAsItselfWithTheHeaderInPlace() {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4)).start()) {
            byte[] payload = bytes(64, 3);
            ByteBuf copy = headroomCopy(harness, payload);
            io.taps.internal.SendHeadroom offer = io.taps.internal.SendHeadroom.offer(copy);
            try {
                harness.send(copy, MessageContext.create(), true);
            } finally {
                offer.withdraw();
            }
            ByteBuf written = harness.channel.readOutbound();
            assertThat(written).as("the copy itself").isSameAs(copy);
            assertThat(written.readerIndex()).isEqualTo(io.taps.internal.SendHeadroom.BYTES - 4);
            assertThat(ByteBufUtil.getBytes(written)).isEqualTo(frame(4, false, payload));
            written.release();

            ByteBuf notOffered = headroomCopy(harness, payload);
            io.taps.internal.SendHeadroom.offer(notOffered).withdraw();
            notOffered.retain(); // to look at it after the framer released its reference
            harness.send(notOffered, MessageContext.create(), true);
            ByteBuf other = harness.channel.readOutbound();
            assertThat(other).as("a buffer of the framer's own").isNotSameAs(notOffered);
            assertThat(ByteBufUtil.getBytes(other)).isEqualTo(frame(4, false, payload));
            other.release();
            assertThat(notOffered.refCnt()).as("the framer released its reference").isEqualTo(1);
            assertThat(ByteBufUtil.getBytes(notOffered, 0, io.taps.internal.SendHeadroom.BYTES))
                    .as("nothing written in front of a buffer not offered").containsOnly((byte) 0x5a);
            notOffered.release();
        }
    }

    private static ByteBuf headroomCopy(FramerHarness harness, byte[] payload) {
        int room = io.taps.internal.SendHeadroom.BYTES;
        ByteBuf copy = harness.channel.alloc().directBuffer(room + payload.length);
        for (int i = 0; i < room; i++) {
            copy.writeByte(0x5a);
        }
        copy.readerIndex(room);
        return copy.writeBytes(payload);
    }

    @Test
    void partialSendsBecomeOneFrameAtTheEndOfTheMessage() {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(2)).start()) {
            MessageContext context = MessageContext.create();
            assertThat(harness.send("hel".getBytes(), context, false).isSuccess()).isTrue();
            assertThat(harness.written()).isEmpty();
            harness.send("lo".getBytes(), context, true);
            assertThat(harness.written()).isEqualTo(frame(2, false, "hello".getBytes()));
        }
    }

    @Test
    void sendingMoreThanThePrefixCanExpressIsASendErrorMessageTooLarge() {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(1)).start()) {
            ChannelFuture failed = harness.send(new byte[256], MessageContext.create(), true);
            assertThat(failed.cause()).isInstanceOf(TransportServicesException.class);
            assertThat(((TransportServicesException) failed.cause()).reason()).isEqualTo(ErrorReason.MESSAGE_TOO_LARGE);
            harness.send(new byte[255], MessageContext.create(), true);
            assertThat(harness.written()).hasSize(256);
        }
    }

    @Test
    void oversizedPrefixFailsAfterEarlierMessagesWithoutBufferingTheBody() {
        byte[] good = frame(4, false, "one".getBytes(), "two".getBytes());
        byte[] bad = frame(4, false, new byte[0]);
        bad[0] = 0x7f; // announces ~2 GiB
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.builder(4).maxMessageSize(1000).factory())
                .start()) {
            harness.feed(concat(good, bad, bytes(5000, 1)));
            assertThat(harness.messages()).extracting(w -> new String(w.bytes())).containsExactly("one", "two");
            assertThat(harness.failures).hasSize(1);
            TransportServicesException error = harness.failures.get(0);
            assertThat(error.reason()).isEqualTo(ErrorReason.MESSAGE_TOO_LARGE);
            assertThat(error.getMessage()).contains("2130706432").contains("1000");
            assertThat(harness.lowest().buffered()).isZero();
            harness.feed(bytes(10_000, 2));
            assertThat(harness.lowest().buffered()).isZero();
        }
    }

    @Test
    void truncatedFrameAtEndOfStreamIsDeframingFailed() {
        byte[] wire = frame(4, false, "intact".getBytes(), "cut short".getBytes());
        for (int cut : new int[] {wire.length - 3, 10 + 2}) {
            try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4)).start()) {
                harness.feed(wire, 0, cut).endInput();
                assertThat(harness.messages()).extracting(w -> new String(w.bytes())).containsExactly("intact");
                assertThat(harness.failures).singleElement()
                        .satisfies(e -> assertThat(e.reason()).isEqualTo(ErrorReason.DEFRAMING_FAILED));
            }
        }
    }

    @Test
    void cleanEndOfStreamIsNoError() {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4)).start()) {
            harness.feed(frame(4, false, "a".getBytes())).endInput();
            assertThat(harness.messages()).hasSize(1);
            assertThat(harness.failures).isEmpty();
        }
    }

    @Test
    void dataArrivingBeforeStartIsParsedOnStart() {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4))) {
            harness.feed(frame(4, false, "early".getBytes()));
            assertThat(harness.parts).isEmpty();
            harness.start();
            assertThat(harness.ready).isTrue();
            assertThat(harness.messages()).extracting(w -> new String(w.bytes())).containsExactly("early");
        }
    }

    static byte[] concat(byte[]... arrays) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] array : arrays) {
            out.writeBytes(array);
        }
        return out.toByteArray();
    }
}

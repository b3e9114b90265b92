package io.taps.internal.framer;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.framer.tlv.TlvFramer;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The TLV framer: the message type travels in the MessageContext (RFC 9623 §6, M-53). */
class TlvFramerTest {

    @Test
    void typeRoundTripsThroughTheMessageContextAtEveryByteBoundary() {
        byte[] wire;
        try (FramerHarness sender = new FramerHarness(TlvFramer.factory(2, 4)).start()) {
            sender.send("hello".getBytes(), TlvFramer.withType(MessageContext.create(), 7), true);
            sender.send(new byte[0], TlvFramer.withType(MessageContext.create(), 65535), true);
            sender.send("untyped".getBytes(), MessageContext.create(), true);
            wire = sender.written();
        }
        assertThat(wire).startsWith(0, 7, 0, 0, 0, 5, 'h');
        for (int split = 0; split <= wire.length; split++) {
            try (FramerHarness receiver = new FramerHarness(TlvFramer.factory(2, 4)).start()) {
                receiver.feed(wire, 0, split).feed(wire, split, wire.length).endInput();
                List<FramerHarness.Whole> messages = receiver.messages();
                assertThat(messages).hasSize(3);
                assertThat(new String(messages.get(0).bytes())).isEqualTo("hello");
                assertThat(TlvFramer.type(messages.get(0).context())).isEqualTo(OptionalLong.of(7));
                assertThat(messages.get(1).bytes()).isEmpty();
                assertThat(TlvFramer.type(messages.get(1).context())).isEqualTo(OptionalLong.of(65535));
                assertThat(TlvFramer.type(messages.get(2).context())).isEqualTo(OptionalLong.of(0));
                assertThat(messages.get(0).context().framerValue(TlvFramer.TYPE)).contains(7L);
                assertThat(receiver.failures).isEmpty();
            }
        }
    }

    @Test
    void typeThatDoesNotFitIsRefusedAndOversizedValueFailsTheConnection() {
        try (FramerHarness harness = new FramerHarness(TlvFramer.builder(1, 2).maxMessageSize(10).factory()).start()) {
            assertThat(harness.send(new byte[1], TlvFramer.withType(MessageContext.create(), 256), true).cause())
                    .hasMessageContaining("256");
            harness.feed(new byte[] {1, 0, 1, 'a', 2, 0, 11});
            assertThat(harness.messages()).hasSize(1);
            assertThat(harness.failures).singleElement().satisfies(e -> {
                assertThat(e.reason()).isEqualTo(ErrorReason.MESSAGE_TOO_LARGE);
                assertThat(e.getMessage()).contains("type 2").contains("11").contains("10");
            });
        }
    }

    @Test
    void littleEndianFieldsRoundTripAtEveryByteBoundary() {
        byte[] wire;
        try (FramerHarness sender = new FramerHarness(TlvFramer.builder(2, 4).littleEndian().factory()).start()) {
            sender.send("hi".getBytes(), TlvFramer.withType(MessageContext.create(), 0x0102), true);
            wire = sender.written();
        }
        assertThat(wire).containsExactly(0x02, 0x01, 2, 0, 0, 0, 'h', 'i');
        for (int split = 0; split <= wire.length; split++) {
            try (FramerHarness receiver = new FramerHarness(TlvFramer.builder(2, 4).littleEndian().factory())
                    .start()) {
                receiver.feed(wire, 0, split).feed(wire, split, wire.length).endInput();
                assertThat(receiver.messages()).singleElement().satisfies(message -> {
                    assertThat(new String(message.bytes())).isEqualTo("hi");
                    assertThat(TlvFramer.type(message.context())).isEqualTo(OptionalLong.of(0x0102));
                });
                assertThat(receiver.failures).isEmpty();
            }
        }
    }

    /**
     * In place, as for the length prefix: a copy whose headroom taps offers goes out as itself, the
     * type and the length written in front of its bytes, each in its own byte order and width.
     */
    @Test
    void aCopyWithOfferedHeadroomCarriesTypeAndLengthInPlace() {
        for (boolean littleEndian : new boolean[] {false, true}) {
            TlvFramer.Builder builder = TlvFramer.builder(8, 2);
            try (FramerHarness sender = new FramerHarness((littleEndian ? builder.littleEndian() : builder).factory())
                    .start()) {
                int room = io.taps.internal.SendHeadroom.BYTES;
                io.netty.buffer.ByteBuf copy = sender.channel.alloc().directBuffer(room + 2).writerIndex(room)
                        .readerIndex(room).writeBytes("hi".getBytes());
                io.taps.internal.SendHeadroom offer = io.taps.internal.SendHeadroom.offer(copy);
                try {
                    sender.send(copy, TlvFramer.withType(MessageContext.create(), 0x0102), true);
                } finally {
                    offer.withdraw();
                }
                io.netty.buffer.ByteBuf written = sender.channel.readOutbound();
                assertThat(written).isSameAs(copy);
                byte[] wire = io.netty.buffer.ByteBufUtil.getBytes(written);
                written.release();
                assertThat(wire).containsExactly(littleEndian
                        ? new byte[] {0x02, 0x01, 0, 0, 0, 0, 0, 0, 2, 0, 'h', 'i'}
                        : new byte[] {0, 0, 0, 0, 0, 0, 0x01, 0x02, 0, 2, 'h', 'i'});
            }
        }
    }
}

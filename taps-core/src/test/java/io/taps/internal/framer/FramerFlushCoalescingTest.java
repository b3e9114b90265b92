package io.taps.internal.framer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.taps.MessageContext;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * The Messages an application sends while a framer delivers one read (request/response with many
 * requests outstanding, issue 21 figure 3) leave with one flush when the framer's call returns,
 * complete and in order; a flush outside such a call is not held.
 */
class FramerFlushCoalescingTest {

    /** Counts the flushes that reach the network side of the framers. */
    private static final class FlushCounter extends ChannelOutboundHandlerAdapter {
        int flushes;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes++;
            ctx.flush();
        }
    }

    /** Answers every delivered Message with one write and flush of its own, as SendPath writes a Send. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        int flushesSeenWhileDelivering = -1;
        FlushCounter counter;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FramedMessage) {
                FramedMessage framed = (FramedMessage) msg;
                ByteBuf content = framed.content();
                byte[] copy = new byte[content.readableBytes()];
                content.getBytes(content.readerIndex(), copy);
                ctx.channel().write(new FramedMessage(Unpooled.wrappedBuffer(copy), MessageContext.create(), true));
                ctx.channel().flush();
                flushesSeenWhileDelivering = counter.flushes;
            }
            ctx.fireChannelRead(msg);
        }
    }

    @Test
    void responsesSentWhileOneReadIsDeliveredLeaveWithOneFlushInOrder() {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4))) {
            FlushCounter counter = new FlushCounter();
            Echo echo = new Echo();
            echo.counter = counter;
            harness.channel.pipeline().addFirst("flushes", counter);
            harness.channel.pipeline().addBefore("app", "echo", echo);
            harness.start();
            int before = counter.flushes;

            int count = 64;
            byte[][] requests = new byte[count][];
            for (int i = 0; i < count; i++) {
                requests[i] = LengthPrefixFramerTest.bytes(64 + i, i);
            }
            harness.feed(LengthPrefixFramerTest.frame(4, false, requests));

            assertThat(harness.messages()).hasSize(count);
            // Held while the read was being delivered, then one flush for all 64 responses.
            assertThat(echo.flushesSeenWhileDelivering).isEqualTo(before);
            assertThat(counter.flushes - before).isEqualTo(1);
            byte[] expected = LengthPrefixFramerTest.frame(4, false, requests);
            byte[] written = harness.written();
            assertThat(checksum(written)).isEqualTo(checksum(expected));
            assertThat(written).isEqualTo(expected);
        }
    }

    @Test
    void aFlushOutsideADeliveryIsNotHeld() {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4))) {
            FlushCounter counter = new FlushCounter();
            harness.channel.pipeline().addFirst("flushes", counter);
            harness.start();
            int before = counter.flushes;
            byte[] payload = LengthPrefixFramerTest.bytes(100, 3);

            harness.send(payload, MessageContext.create(), true);

            assertThat(counter.flushes - before).isEqualTo(1);
            assertThat(harness.written()).isEqualTo(LengthPrefixFramerTest.frame(4, false, payload));
        }
    }

    private static long checksum(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}

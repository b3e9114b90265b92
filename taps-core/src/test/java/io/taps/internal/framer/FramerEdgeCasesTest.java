package io.taps.internal.framer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.framer.Framer;
import io.taps.framer.FramerContext;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Edge cases of the framer handler (RFC 9623 §6): stepping aside with buffered input, earmarks
 * meeting the end of input or a failure, framers that misbehave in their callbacks.
 */
class FramerEdgeCasesTest {

    /** Waits for "OK" as a byte stream, then steps aside. */
    static final class GreetingThenPassthrough implements Framer {
        @Override
        public void start(FramerContext context) {
        }


        @Override
        public void handleReceivedData(FramerContext context) {
            ByteBuf greeting = context.parse(2, 2);
            if (greeting == null) {
                return;
            }
            context.advanceReceiveCursor(2);
            context.startPassthrough();
            context.makeConnectionReady();
        }
    }

    /**
     * An upper framer that steps aside while it holds Messages of the framer below (here: they
     * arrived before it started) must hand them up as those Messages, not as one raw run of bytes
     * that merges them with each other and with the next Message.
     */
    @Test
    void passthroughOfAnUpperFramerKeepsTheBoundariesOfBufferedMessagesFromBelow() {
        try (FramerHarness harness = new FramerHarness(GreetingThenPassthrough::new, LengthPrefixFramer.factory(1))) {
            harness.feed(new byte[] {2, 'O', 'K', 2, 'a', 'b', 2, 'c', 'd'});
            harness.start();
            assertThat(harness.ready).isTrue();
            harness.feed(new byte[] {2, 'e', 'f'});
            assertThat(harness.messages()).extracting(m -> new String(m.bytes(), StandardCharsets.US_ASCII))
                    .containsExactly("ab", "cd", "ef");
            assertThat(harness.pendingPartBytes()).isZero();
        }
    }

    @Test
    void earmarkMeetingTheEndOfInputFailsOnceWithoutLeaks() {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4)).start()) {
            harness.feed(new byte[] {0, 0, 0, 10, 1, 2, 3});
            assertThat(harness.parts).singleElement().satisfies(p -> assertThat(p.endOfMessage()).isFalse());
            harness.endInput();
            assertThat(harness.failures).singleElement()
                    .satisfies(e -> assertThat(e.reason()).isEqualTo(ErrorReason.DEFRAMING_FAILED));
            harness.feed(new byte[] {4, 5});
            assertThat(harness.parts).hasSize(1);
        }
    }

    @Test
    void earmarkThenCloseReleasesEverything() {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4)).start()) {
            harness.feed(new byte[] {0, 0, 0, 10, 1, 2, 3});
            harness.channel.close();
            harness.feed(new byte[] {4, 5});
        }
    }

    @Test
    void framerThrowingAfterAnEarmarkedDeliveryFailsOnceAndDropsTheRest() {
        Framer throwing = new Framer() {

            @Override
            public void handleReceivedData(FramerContext context) {
                context.deliverAndAdvanceReceiveCursor(context.receivedContext(), 100, true);
                throw new IllegalStateException("boom");
            }
        };
        try (FramerHarness harness = new FramerHarness(() -> throwing).start()) {
            harness.feed("abc".getBytes());
            harness.feed("def".getBytes());
            assertThat(harness.failures).hasSize(1);
            assertThat(harness.parts).hasSize(1);
        }
    }

    @Test
    void prependFramerDuringStart() {
        Framer prepending = new Framer() {
            @Override
            public void start(FramerContext context) {
                context.prependFramer(LengthPrefixFramer.factory(1).newFramer());
                context.startPassthrough();
                context.makeConnectionReady();
            }


            @Override
            public void handleReceivedData(FramerContext context) {
            }
        };
        try (FramerHarness harness = new FramerHarness(() -> prepending)) {
            harness.feed(new byte[] {2, 'a', 'b', 1});
            harness.start();
            assertThat(harness.ready).isTrue();
            harness.feed(new byte[] {'c'});
            assertThat(harness.messages()).extracting(m -> new String(m.bytes(), StandardCharsets.US_ASCII))
                    .containsExactly("ab", "c");
            harness.send("xy".getBytes(), MessageContext.create(), true);
            assertThat(harness.written()).containsExactly(2, 'x', 'y');
        }
    }

    @Test
    void readyTwiceAndFailAfterReadyDuringReceive() {
        Framer odd = new Framer() {
            @Override
            public void start(FramerContext context) {
                context.makeConnectionReady();
                context.makeConnectionReady();
            }


            @Override
            public void handleReceivedData(FramerContext context) {
                context.deliverAndAdvanceReceiveCursor(context.receivedContext(), 1, true);
                context.failConnection(ErrorReason.PROTOCOL_FAILED, "no");
                context.deliver(context.receivedContext(), Unpooled.copiedBuffer("z", StandardCharsets.US_ASCII), true);
            }
        };
        try (FramerHarness harness = new FramerHarness(() -> odd, LengthPrefixFramer.factory(1)).start()) {
            assertThat(harness.ready).isTrue();
            harness.feed(new byte[] {3, 'a', 'b', 'c'});
            assertThat(harness.failures).hasSize(1);
            assertThat(harness.messages()).hasSize(1);
        }
    }

    /**
     * A framer that delivers a Message longer than what arrived (an earmark) and steps aside in the
     * same call: the earmarked bytes are still that Message, ending it; only what follows is raw.
     * Before the fix passthrough took them raw, so the Message never ended.
     */
    @Test
    void earmarkedBytesStillEndTheirMessageAfterStartPassthrough() {
        Framer lastFramedThenRaw = new Framer() {

            @Override
            public void handleReceivedData(FramerContext context) {
                ByteBuf header = context.parse(1, 1);
                if (header == null) {
                    return;
                }
                int length = header.getByte(header.readerIndex());
                context.advanceReceiveCursor(1);
                context.deliverAndAdvanceReceiveCursor(context.receivedContext(), length, true);
                context.startPassthrough();
            }
        };
        try (FramerHarness harness = new FramerHarness(() -> lastFramedThenRaw).start()) {
            harness.feed(new byte[] {4, 'a', 'b'});
            harness.feed(new byte[] {'c', 'd', 'r', 'a', 'w'});
            assertThat(harness.messages()).extracting(m -> new String(m.bytes(), StandardCharsets.US_ASCII))
                    .containsExactly("abcd");
            assertThat(harness.parts).last().satisfies(p -> {
                assertThat(new String(p.bytes(), StandardCharsets.US_ASCII)).isEqualTo("raw");
                assertThat(p.context()).isNull();
            });
        }
    }

    /**
     * A framer that fails the Connection while framing a Message and then sends its bytes anyway:
     * nothing may reach the network after FailConnection and the send is not Sent. Before the fix
     * the collected bytes were written and the send succeeded.
     */
    @Test
    void bytesSentAfterFailConnectionInNewSentMessageAreNotWritten() {
        Framer failing = new Framer() {
            @Override
            public void newSentMessage(FramerContext context, ByteBuf data, MessageContext messageContext,
                    boolean endOfMessage) {
                context.failConnection(ErrorReason.PROTOCOL_FAILED, "cannot frame this");
                context.send(data);
            }

            @Override
            public void handleReceivedData(FramerContext context) {
            }
        };
        try (FramerHarness harness = new FramerHarness(() -> failing).start()) {
            io.netty.channel.ChannelFuture sent = harness.send("secret".getBytes(), MessageContext.create(), true);
            assertThat(harness.written()).isEmpty();
            assertThat(sent.isSuccess()).isFalse();
            assertThat(harness.failures).hasSize(1);
        }
    }
}

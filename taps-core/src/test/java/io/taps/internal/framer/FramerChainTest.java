package io.taps.internal.framer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.framer.Framer;
import io.taps.framer.FramerContext;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.framer.tlv.TlvFramer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Framer chains and the control calls of RFC 9623 §6.1 (M-54, Q-4, Q-13): order, delayed Ready,
 * rejection before Ready, PrependFramer, StartPassthrough, MakeConnectionClosed.
 */
class FramerChainTest {

    /** Sends a greeting at start; ready after the peer's "OK\n"; then puts a length-prefix framer below and steps aside. */
    static final class StartFramingFramer implements Framer {
        @Override
        public void start(FramerContext context) {
            context.send(Unpooled.copiedBuffer("HI\n", StandardCharsets.US_ASCII));
        }


        @Override
        public void handleReceivedData(FramerContext context) {
            ByteBuf reply = context.parse(3, 3);
            if (reply == null) {
                return;
            }
            if (!reply.toString(StandardCharsets.US_ASCII).equals("OK\n")) {
                context.failConnection(ErrorReason.PROTOCOL_FAILED, "the peer refused framing");
                return;
            }
            context.advanceReceiveCursor(3);
            context.prependFramer(LengthPrefixFramer.factory(2).newFramer());
            context.startPassthrough();
            context.makeConnectionReady();
        }
    }

    @Test
    void firstFramerAddedIsNearestTheApplication_M54() {
        try (FramerHarness harness = new FramerHarness(TlvFramer.factory(1, 1), LengthPrefixFramer.factory(1)).start()) {
            assertThat(harness.ready).isTrue();
            harness.send("hi".getBytes(), TlvFramer.withType(MessageContext.create(), 3), true);
            // The TLV frame (3, 2, 'h', 'i') is the length-prefix framer's Message: 4 bytes.
            byte[] wire = harness.written();
            assertThat(wire).containsExactly(4, 3, 2, 'h', 'i');
            for (int split = 0; split <= wire.length; split++) {
                harness.parts.clear();
                harness.feed(wire, 0, split).feed(wire, split, wire.length);
                assertThat(harness.messages()).singleElement().satisfies(m -> {
                    assertThat(m.bytes()).isEqualTo("hi".getBytes());
                    assertThat(TlvFramer.type(m.context())).isEqualTo(OptionalLong.of(3));
                });
            }
        }
    }

    @Test
    void readyWaitsForTheHandshakeThenPrependedFramerParsesTheRest() {
        try (FramerHarness harness = new FramerHarness(StartFramingFramer::new).start()) {
            assertThat(harness.ready).isFalse();
            assertThat(new String(harness.written(), StandardCharsets.US_ASCII)).isEqualTo("HI\n");
            // The reply and the first framed message in one read: the new framer gets what follows "OK\n".
            byte[] reply = LengthPrefixFramerTest.concat("OK\n".getBytes(), new byte[] {0, 2, 'a', 'b'});
            harness.feed(reply, 0, 2);
            assertThat(harness.ready).isFalse();
            harness.feed(reply, 2, reply.length);
            assertThat(harness.ready).isTrue();
            assertThat(harness.messages()).singleElement().satisfies(m -> assertThat(m.bytes()).isEqualTo("ab".getBytes()));
            harness.feed(new byte[] {0, 1, 'c'});
            assertThat(harness.messages()).hasSize(2);
            // Sends now pass the greeting framer unchanged and get length-prefixed below it.
            harness.send("xyz".getBytes(), MessageContext.create(), true);
            assertThat(harness.written()).containsExactly(0, 3, 'x', 'y', 'z');
        }
    }

    @Test
    void failConnectionBeforeReadyRejectsTheCandidate() {
        try (FramerHarness harness = new FramerHarness(StartFramingFramer::new).start()) {
            harness.feed("NO\n".getBytes());
            assertThat(harness.ready).isFalse();
            assertThat(harness.startFailure.reason()).isEqualTo(ErrorReason.PROTOCOL_FAILED);
            assertThat(harness.startFailure.getMessage()).contains("refused framing");
            assertThat(harness.failures).isEmpty();
        }
    }

    @Test
    void everyFramerMustBeReady_Q4() {
        Framer[] late = new Framer[1];
        FramerContext[] lateContext = new FramerContext[1];
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4), () -> {
            late[0] = new Framer() {
                @Override
                public void start(FramerContext context) {
                    lateContext[0] = context;
                }


                @Override
                public void handleReceivedData(FramerContext context) {
                    context.deliverAndAdvanceReceiveCursor(context.receivedContext(), context.readableBytes(), false);
                }
            };
            return late[0];
        }).start()) {
            assertThat(harness.ready).isFalse();
            lateContext[0].makeConnectionReady();
            assertThat(harness.ready).isTrue();
        }
    }

    @Test
    void passthroughFramerHandsUpRawBytesAndSendsUnchanged() {
        Framer passthrough = new Framer() {
            @Override
            public void start(FramerContext context) {
                context.startPassthrough();
                context.makeConnectionReady();
            }

            @Override
            public void newSentMessage(FramerContext context, ByteBuf data, MessageContext messageContext,
                    boolean endOfMessage) {
                throw new AssertionError("passthrough framers see no messages");
            }

            @Override
            public void handleReceivedData(FramerContext context) {
                throw new AssertionError("passthrough framers see no data");
            }
        };
        try (FramerHarness harness = new FramerHarness(() -> passthrough).start()) {
            harness.feed("raw".getBytes());
            assertThat(harness.parts).singleElement().satisfies(p -> assertThat(p.bytes()).isEqualTo("raw".getBytes()));
            harness.send("out".getBytes(), MessageContext.create(), true);
            assertThat(harness.written()).isEqualTo("out".getBytes());
        }
    }

    @Test
    void makeConnectionClosedAfterReadySignalsAGracefulClose() {
        Framer closing = new Framer() {

            @Override
            public void handleReceivedData(FramerContext context) {
                context.advanceReceiveCursor(context.readableBytes());
                context.makeConnectionClosed();
            }
        };
        try (FramerHarness harness = new FramerHarness(() -> closing).start()) {
            harness.feed("BYE".getBytes());
            assertThat(harness.closeSignals).isEqualTo(1);
        }
    }

    @Test
    void framerThatThrowsFailsTheConnectionWithDeframingFailed() {
        Framer throwing = new Framer() {

            @Override
            public void handleReceivedData(FramerContext context) {
                throw new IllegalStateException("boom");
            }
        };
        try (FramerHarness harness = new FramerHarness(() -> throwing).start()) {
            harness.feed("x".getBytes());
            assertThat(harness.failures).singleElement().satisfies(e -> {
                assertThat(e.reason()).isEqualTo(ErrorReason.DEFRAMING_FAILED);
                assertThat(e.getMessage()).contains("boom");
            });
        }
    }

    @Test
    void framerThatNeverConsumesIsStoppedWithDeframingFailed() {
        Framer spinning = new Framer() {

            @Override
            public void handleReceivedData(FramerContext context) {
                context.deliverAndAdvanceReceiveCursor(context.receivedContext(), 0, true);
            }
        };
        try (FramerHarness harness = new FramerHarness(() -> spinning).start()) {
            harness.feed("x".getBytes());
            assertThat(harness.failures).singleElement().satisfies(e -> {
                assertThat(e.reason()).isEqualTo(ErrorReason.DEFRAMING_FAILED);
                assertThat(e.getMessage()).contains("without consuming input");
            });
            harness.parts.clear();
        }
    }
}

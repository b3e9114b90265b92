package io.taps.internal.framer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.framer.Framer;
import io.taps.framer.FramerContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The buffers a framer sends while it frames one Message (RFC 9623 §6.2) leave as one write with
 * that Message's promise, collected by the framing thread ({@link CollectedSend}), not by a field
 * of every runtime: several per Message, a failure part-way, a write nested in the framing of
 * another (on another Connection, on its own, in a chain), a send from another thread.
 */
class FramedSendCollectionTest {

    /** Frames each Message as three sends: an opening mark, the payload, a closing mark. */
    static final class Brackets implements Framer {
        final String open;
        final String close;
        /** Runs between the opening mark and the payload, once per Message; may be null. */
        Consumer<FramerContext> between;

        Brackets(String open, String close) {
            this.open = open;
            this.close = close;
        }

        @Override
        public void newSentMessage(FramerContext context, ByteBuf data, MessageContext messageContext,
                boolean endOfMessage) {
            context.send(ascii(context, open));
            if (between != null) {
                Consumer<FramerContext> once = between;
                between = null;
                once.accept(context);
            }
            context.send(data);
            context.send(ascii(context, close));
        }

        @Override
        public void handleReceivedData(FramerContext context) {
        }
    }

    @Test
    void headerPayloadAndTrailerLeaveAsOneWritePerMessageWithoutSeldomUsedState() throws Exception {
        try (FramerHarness harness = new FramerHarness(() -> new Brackets("<", ">")).start()) {
            List<ChannelFuture> sent = new ArrayList<>();
            for (String payload : List.of("one", "two", "three")) {
                sent.add(harness.send(payload.getBytes(StandardCharsets.US_ASCII), MessageContext.create(), true));
            }
            assertThat(outbound(harness)).containsExactly("<one>", "<two>", "<three>");
            assertThat(sent).allMatch(ChannelFuture::isSuccess);
            // Three buffers per Message used to make (and from the second Message on, keep) a RareState.
            assertThat(rare(harness.lowest())).as("the runtime's seldom-used state").isNull();
        }
    }

    @Test
    void aFramerThrowingAfterTwoSendsReleasesBothAndTheNextMessageGoesOutWhole() {
        Brackets framer = new Brackets("<", ">");
        framer.between = context -> {
            throw new IllegalStateException("cannot frame this one");
        };
        try (FramerHarness harness = new FramerHarness(() -> framer).start()) {
            ChannelFuture refused = harness.send("no".getBytes(StandardCharsets.US_ASCII), MessageContext.create(), true);
            assertThat(refused.isSuccess()).isFalse();
            assertThat(refused.cause()).isInstanceOf(TransportServicesException.class);
            ChannelFuture next = harness.send("yes".getBytes(StandardCharsets.US_ASCII), MessageContext.create(), true);
            assertThat(next.isSuccess()).isTrue();
            assertThat(outbound(harness)).containsExactly("<yes>");
        } // closing asserts that the tracked opening mark and payload were released
    }

    @Test
    void buffersSentBeforeAndAfterFailConnectionInNewSentMessageAreReleased() {
        Brackets framer = new Brackets("<", ">");
        framer.between = context -> context.failConnection(ErrorReason.PROTOCOL_FAILED, "cannot frame this");
        try (FramerHarness harness = new FramerHarness(() -> framer).start()) {
            ChannelFuture sent = harness.send("secret".getBytes(StandardCharsets.US_ASCII), MessageContext.create(), true);
            assertThat(sent.isSuccess()).isFalse();
            assertThat(harness.written()).isEmpty();
            assertThat(harness.failures).hasSize(1);
        }
    }

    /**
     * A framer whose framing makes another Connection send on the same thread: that Connection's
     * framer collects into the thread's next collector, and each Message leaves whole, with its
     * own buffers only.
     */
    @Test
    void aSendOnAnotherConnectionWhileFramingKeepsEachMessagesBuffers() {
        Brackets outer = new Brackets("A<", ">A");
        try (FramerHarness other = new FramerHarness(() -> new Brackets("B<", ">B")).start();
                FramerHarness harness = new FramerHarness(() -> outer).start()) {
            List<ChannelFuture> nested = new ArrayList<>();
            outer.between = context -> nested.add(other.send("inner".getBytes(StandardCharsets.US_ASCII),
                    MessageContext.create(), true));
            ChannelFuture sent = harness.send("outer".getBytes(StandardCharsets.US_ASCII), MessageContext.create(), true);
            assertThat(outbound(harness)).containsExactly("A<outer>A");
            assertThat(outbound(other)).containsExactly("B<inner>B");
            assertThat(sent.isSuccess()).isTrue();
            assertThat(nested).singleElement().matches(ChannelFuture::isSuccess);
        }
    }

    /**
     * A framer whose framing makes its own Connection send another Message: the nested Message
     * leaves whole, before the one being framed, which keeps its own buffers. Before the thread's
     * collectors, both shared the runtime's one field: the nested write took the outer Message's
     * opening mark, and the outer's payload and closing mark went out as sends of their own.
     */
    @Test
    void aSendOnTheSameConnectionWhileFramingLeavesWholeBeforeTheFramedMessage() {
        Brackets framer = new Brackets("<", ">");
        try (FramerHarness harness = new FramerHarness(() -> framer).start()) {
            List<ChannelFuture> nested = new ArrayList<>();
            framer.between = context -> nested.add(harness.channel.write(
                    new FramedMessage(ascii(context, "inner"), MessageContext.create(), true)));
            ChannelFuture sent = harness.send("outer".getBytes(StandardCharsets.US_ASCII), MessageContext.create(), true);
            assertThat(outbound(harness)).containsExactly("<inner>", "<outer>");
            assertThat(sent.isSuccess()).isTrue();
            assertThat(nested).singleElement().matches(ChannelFuture::isSuccess);
        }
    }

    /** Two stacked framers that each send three buffers per Message: the lower frames the upper's whole Message. */
    @Test
    void stackedFramersEachSendingSeveralBuffersNestTheirMessages() {
        try (FramerHarness harness = new FramerHarness(() -> new Brackets("[", "]"), () -> new Brackets("{", "}"))
                .start()) {
            assertThat(harness.ready).isTrue();
            ChannelFuture first = harness.send("ab".getBytes(StandardCharsets.US_ASCII), MessageContext.create(), true);
            ChannelFuture second = harness.send("cd".getBytes(StandardCharsets.US_ASCII), MessageContext.create(), true);
            assertThat(outbound(harness)).containsExactly("{[ab]}", "{[cd]}");
            assertThat(first.isSuccess()).isTrue();
            assertThat(second.isSuccess()).isTrue();
        }
    }

    /**
     * A send from another thread while the event loop frames a Message is no part of that
     * Message (the thread collects only its own framing): it is written after it, not lost.
     */
    @Test
    void aSendFromAnotherThreadWhileFramingIsWrittenAfterTheMessage() {
        Brackets framer = new Brackets("<", ">");
        try (FramerHarness harness = new FramerHarness(() -> framer).start()) {
            framer.between = context -> {
                ByteBuf late = ascii(context, "late");
                Thread other = new Thread(() -> context.send(late));
                other.start();
                try {
                    other.join();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            };
            ChannelFuture sent = harness.send("msg".getBytes(StandardCharsets.US_ASCII), MessageContext.create(), true);
            harness.channel.runPendingTasks();
            assertThat(outbound(harness)).containsExactly("<msg>", "late");
            assertThat(sent.isSuccess()).isTrue();
        }
    }

    private static ByteBuf ascii(FramerContext context, String text) {
        ByteBuf buffer = context.alloc().buffer(text.length());
        buffer.writeCharSequence(text, StandardCharsets.US_ASCII);
        return buffer;
    }

    /** Each write that reached the network, as text; the buffers are released. */
    private static List<String> outbound(FramerHarness harness) {
        List<String> writes = new ArrayList<>();
        Object message;
        while ((message = harness.channel.readOutbound()) != null) {
            ByteBuf data = (ByteBuf) message;
            writes.add(data.toString(StandardCharsets.US_ASCII));
            data.release();
        }
        return writes;
    }

    private static Object rare(FramerRuntime runtime) throws ReflectiveOperationException {
        java.lang.reflect.Field field = FramerInput.class.getDeclaredField("rare");
        field.setAccessible(true);
        return field.get(runtime);
    }
}

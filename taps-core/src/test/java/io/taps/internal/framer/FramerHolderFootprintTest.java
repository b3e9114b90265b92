package io.taps.internal.framer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a Connection's framers keep (issue 21 figure 12): the stack of the usual one framer keeps
 * its handler without an array around it, and the Messages the handlers deliver up ride the event
 * loop thread's holders ({@link FramedMessage#carryUp}), one per level of nesting, not one per
 * handler; two framers stacked still deliver every Message whole.
 */
class FramerHolderFootprintTest {
    private static final byte[] TWO_FRAMES = {0, 0, 0, 2, 'h', 'i', 0, 0, 0, 3, 'y', 'o', 'u'};

    /**
     * The usual one framer is its own stack: once ready, its handler keeps neither a chain nor
     * its seldom-used state (a FramerStack of 40 B and half of a 96 B handler, figure 12).
     */
    @Test
    void theStackOfOneFramerIsItsHandlerAndKeepsNoChainOnceReady() throws Exception {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4)).start()) {
            assertThat(harness.ready).isTrue();
            harness.feed(TWO_FRAMES);
            assertThat(harness.messages()).extracting(whole -> new String(whole.bytes())).containsExactly("hi", "you");
            assertThat(harness.stack).isSameAs(harness.lowest());
            assertThat(field(harness.lowest(), "rare")).as("the handler's seldom-used state").isNull();
        }
    }

    /**
     * A Message split across reads makes the seldom-used state; it is let go once the Message is
     * whole (kept only when needed again: messagesArrivingSplitAgainAndAgainKeepOneSeldomUsedState).
     */
    @Test
    void aSplitMessageLetsGoOfTheSeldomUsedStateOnceWhole() throws Exception {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4)).start()) {
            harness.feed(new byte[] {0, 0, 0, 5, 'h', 'e'});
            assertThat(field(harness.lowest(), "rare")).as("while a body is earmarked").isNotNull();
            harness.feed(new byte[] {'l', 'l', 'o'});
            assertThat(harness.messages()).extracting(whole -> new String(whole.bytes())).containsExactly("hello");
            assertThat(field(harness.lowest(), "rare")).isNull();
        }
    }

    /**
     * Messages that keep arriving split (a peer writing header and body apart) keep the
     * seldom-used state once it was needed twice: one made per Message would be garbage on the
     * steady path.
     */
    @Test
    void messagesArrivingSplitAgainAndAgainKeepOneSeldomUsedState() throws Exception {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4)).start()) {
            harness.feed(new byte[] {0, 0, 0, 2});
            harness.feed(new byte[] {'h', 'i'});
            assertThat(field(harness.lowest(), "rare")).as("needed once: let go").isNull();
            harness.feed(new byte[] {0, 0, 0, 2});
            harness.feed(new byte[] {'h', 'o'});
            Object kept = field(harness.lowest(), "rare");
            assertThat(kept).as("needed twice: kept").isNotNull();
            for (int i = 0; i < 10; i++) {
                harness.feed(new byte[] {0, 0, 0, 3});
                harness.feed(new byte[] {'y', 'o', 'u'});
            }
            assertThat(field(harness.lowest(), "rare")).as("the same one for every later Message").isSameAs(kept);
            assertThat(harness.messages()).hasSize(12);
            assertThat(harness.messages().get(11).bytes()).isEqualTo("you".getBytes());
        }
    }

    /**
     * The framer runtime of every framed Connection keeps 5 fields of 4 bytes (32 B with
     * compressed pointers; it was 96 with 17 fields, three of them longs, then 48 with 8, 40 with
     * 6), its input's among them: the unparsed count is the buffers' own, the context of received
     * Messages the event loop's (ReceivedContexts, session 19), what a framer sends while framing
     * a Message the framing thread's ({@link CollectedSend}, session 20).
     */
    @Test
    void aRuntimeKeepsFiveFieldsOfFourBytes() {
        List<java.lang.reflect.Field> fields = instanceFields(FramerRuntime.class);
        assertThat(fields).extracting(java.lang.reflect.Field::getName).hasSize(5)
                .doesNotContain("stack", "progress", "depth", "available", "receivedContext", "firstCollected");
        assertThat(fields).extracting(java.lang.reflect.Field::getType).doesNotContain(long.class);
    }

    /** The instance fields of {@code type} and of every layer it extends (the runtime is split into several). */
    private static List<java.lang.reflect.Field> instanceFields(Class<?> type) {
        List<java.lang.reflect.Field> fields = new ArrayList<>();
        for (Class<?> layer = type; layer != Object.class; layer = layer.getSuperclass()) {
            java.util.Arrays.stream(layer.getDeclaredFields())
                    .filter(field -> !java.lang.reflect.Modifier.isStatic(field.getModifiers())).forEach(fields::add);
        }
        return fields;
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        java.lang.reflect.Field field = FramerInput.class.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(owner);
    }

    @Test
    void twoStackedFramersDeliverThroughNestedHoldersOfTheThread() throws Exception {
        // The outer framer's payload is the inner framer's frame: {0,0,0,2,'h','i'} inside a 6-byte frame.
        byte[] nested = {0, 0, 0, 6, 0, 0, 0, 2, 'h', 'i', 0, 0, 0, 7, 0, 0, 0, 3, 'y', 'o', 'u'};
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4), LengthPrefixFramer.factory(4))
                .start()) {
            harness.feed(nested);
            assertThat(harness.messages()).extracting(whole -> new String(whole.bytes())).containsExactly("hi", "you");
        }
    }

    @Test
    void carryUpReusesTheThreadsHolderAndNestsOneLevelDeeper() {
        FramedMessage outer = FramedMessage.carryUp(Unpooled.EMPTY_BUFFER, null, true);
        FramedMessage inner = FramedMessage.carryUp(Unpooled.EMPTY_BUFFER, null, false);
        assertThat(inner).isNotSameAs(outer);
        assertThat(List.of(outer.isCarrier(), inner.isCarrier())).containsOnly(true);
        assertThat(inner.endOfMessage()).isFalse();
        inner.done();
        assertThat(FramedMessage.carryUp(Unpooled.EMPTY_BUFFER, null, true)).as("the nested holder again")
                .isSameAs(inner);
        inner.done();
        outer.done();
        assertThat(FramedMessage.carryUp(Unpooled.EMPTY_BUFFER, null, true)).isSameAs(outer);
        outer.done();
    }

    /**
     * Links write to their framers through the thread's holders too ({@link FramedMessage#writeDown}),
     * keeping none of their own (32 B of every Connection): two writes on the event loop go down in
     * the same holder, freed after each; a write made while a delivery up holds the first holder
     * (an echo from a Received handler) goes down in the nested one, so neither is overwritten.
     */
    @Test
    void writesDownRideTheThreadsHoldersAndNestUnderADelivery() {
        List<FramedMessage> holders = new ArrayList<>();
        List<String> payloads = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                FramedMessage message = (FramedMessage) msg;
                holders.add(message);
                payloads.add(message.content().toString(StandardCharsets.US_ASCII));
                message.release();
                promise.setSuccess();
            }
        });
        try {
            FramedMessage.writeDown(channel, ascii("one"), null, true, channel.newPromise());
            FramedMessage.writeDown(channel, ascii("two"), null, true, channel.newPromise());
            FramedMessage delivering = FramedMessage.carryUp(ascii("up"), null, true);
            FramedMessage.writeDown(channel, ascii("echo"), null, true, channel.newPromise());
            assertThat(delivering.content().toString(StandardCharsets.US_ASCII)).as("the delivery's holder untouched")
                    .isEqualTo("up");
            delivering.release();
            delivering.done();
            assertThat(payloads).containsExactly("one", "two", "echo");
            assertThat(holders.get(0)).as("the thread's holder, again").isSameAs(holders.get(1)).matches(
                    FramedMessage::isCarrier);
            assertThat(holders.get(2)).as("the nested holder under a delivery").isNotSameAs(holders.get(0))
                    .matches(FramedMessage::isCarrier);
            assertThat(holders.get(0).content()).as("freed after the write").isNull();
            java.util.Set<String> linkFields = new java.util.HashSet<>();
            for (java.lang.reflect.Field field : io.taps.internal.stack.ChannelLink.class.getDeclaredFields()) {
                linkFields.add(field.getType().getName());
            }
            assertThat(linkFields).as("a link keeps no holder of its own").doesNotContain(FramedMessage.class.getName());
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** A handler's state flags are bits of one int, not a boolean field each (16 -> 4 B of every Connection with a framer). */
    @Test
    void aHandlerKeepsItsStateFlagsInOneInt() {
        assertThat(instanceFields(FramerRuntime.class).stream().filter(field -> field.getType() == boolean.class))
                .as("boolean fields of FramerRuntime").isEmpty();
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }
}

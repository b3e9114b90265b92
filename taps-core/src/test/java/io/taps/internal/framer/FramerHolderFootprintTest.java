package io.taps.internal.framer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
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

    @Test
    void theStackOfOneFramerKeepsItsHandlerWithoutAnArray() throws Exception {
        try (FramerHarness harness = new FramerHarness(LengthPrefixFramer.factory(4)).start()) {
            harness.feed(TWO_FRAMES);
            assertThat(harness.messages()).extracting(whole -> new String(whole.bytes())).containsExactly("hi", "you");
            java.lang.reflect.Field handlers = FramerStack.class.getDeclaredField("handlers");
            handlers.setAccessible(true);
            assertThat(handlers.get(harness.stack)).isInstanceOf(FramerHandler.class).isSameAs(harness.lowest());
        }
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
}

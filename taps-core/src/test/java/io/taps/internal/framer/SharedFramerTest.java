package io.taps.internal.framer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.framer.Framer;
import io.taps.framer.FramerContext;
import io.taps.framer.FramerFactory;
import io.taps.framer.delimiter.DelimiterFramer;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.framer.tlv.TlvFramer;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The built-in length-prefix and TLV framers are immutable and shared by every Connection of
 * their factory (issue 21 figure 12: a framer and codec each were 56 B of every Connection); the
 * parts of a partial send stay with each Connection. A user factory keeps giving each Connection
 * its own framer.
 */
class SharedFramerTest {

    @Test
    void builtInFactoriesGiveEveryConnectionTheSameFramer() throws Exception {
        FramerFactory lengthPrefix = LengthPrefixFramer.factory(4);
        FramerFactory tlv = TlvFramer.factory(1, 2);
        assertThat(lengthPrefix.newFramer()).isSameAs(lengthPrefix.newFramer());
        assertThat(tlv.newFramer()).isSameAs(tlv.newFramer());
        FramerFactory lines = DelimiterFramer.lines();
        assertThat(lines.newFramer()).as("the delimiter framer keeps state: one per Connection")
                .isNotSameAs(lines.newFramer());
        try (FramerHarness first = new FramerHarness(lengthPrefix).start();
                FramerHarness second = new FramerHarness(lengthPrefix).start()) {
            assertThat(framerOf(first)).isSameAs(framerOf(second)).isSameAs(lengthPrefix.newFramer());
        }
    }

    @Test
    void aUserFactoryStillGivesEveryConnectionItsOwnFramer() throws Exception {
        List<Framer> made = new ArrayList<>();
        FramerFactory counting = () -> {
            Framer framer = new Framer() {
                @Override
                public void handleReceivedData(FramerContext context) {
                }
            };
            made.add(framer);
            return framer;
        };
        try (FramerHarness first = new FramerHarness(counting).start();
                FramerHarness second = new FramerHarness(counting).start()) {
            assertThat(made).hasSize(2);
            assertThat(framerOf(first)).isSameAs(made.get(0));
            assertThat(framerOf(second)).isSameAs(made.get(1)).isNotSameAs(made.get(0));
        }
    }

    @Test
    void partialSendsOfTwoConnectionsSharingAFramerStayApart() {
        FramerFactory shared = LengthPrefixFramer.factory(2);
        try (FramerHarness first = new FramerHarness(shared).start();
                FramerHarness second = new FramerHarness(shared).start()) {
            interleavePartialSends(first, second);
            // A Connection that ends while parts are held releases them (close checks every buffer).
            first.send("held".getBytes(), MessageContext.create(), false);
        }
    }

    @Test
    void tlvPartialSendsOfTwoConnectionsSharingAFramerStayApart() {
        FramerFactory shared = TlvFramer.factory(1, 2);
        try (FramerHarness first = new FramerHarness(shared).start();
                FramerHarness second = new FramerHarness(shared).start()) {
            first.send("hel".getBytes(), MessageContext.create(), false);
            second.send("wor".getBytes(), MessageContext.create(), false);
            first.send("lo".getBytes(), MessageContext.create(), true);
            second.send("ld".getBytes(), MessageContext.create(), true);
            assertThat(first.written()).isEqualTo(new byte[] {0, 0, 5, 'h', 'e', 'l', 'l', 'o'});
            assertThat(second.written()).isEqualTo(new byte[] {0, 0, 5, 'w', 'o', 'r', 'l', 'd'});
        }
    }

    /**
     * A framer wrapping a shared built-in one may hand it a context of its own: the parts of its
     * partial sends are then kept by that context, still apart per Connection, and released.
     */
    @Test
    void aWrappedBuiltInFramerKeepsPartsApartUnderContextsNotTapsOwn() {
        Framer inner = LengthPrefixFramer.factory(2).newFramer();
        FramerFactory wrapping = () -> new WrappingFramer(inner);
        try (FramerHarness first = new FramerHarness(wrapping).start();
                FramerHarness second = new FramerHarness(wrapping).start()) {
            interleavePartialSends(first, second);
            first.send("held".getBytes(), MessageContext.create(), false);
        }
    }

    /** Nothing parses before the start, so taps bounds the input held until then (the handler counts it in an int). */
    @Test
    void inputBeforeTheStartIsBoundedAndItsFailureToldAtTheStart() {
        ByteBuf mebibyte = Unpooled.wrappedBuffer(new byte[1 << 20]);
        Framer neverParses = context -> {
        };
        try (FramerHarness harness = new FramerHarness(() -> neverParses)) {
            harness.channel.pipeline().fireChannelRead(mebibytes(mebibyte, 40));
            assertThat(harness.lowest().buffered()).isEqualTo(40L << 20);
            harness.channel.pipeline().fireChannelRead(mebibytes(mebibyte, 40));
            assertThat(harness.lowest().buffered()).as("held before the start").isLessThanOrEqualTo(
                    FramerRuntime.MAX_UNPARSED);
            harness.start();
            assertThat(harness.ready).isFalse();
            assertThat(harness.startFailure).isNotNull();
            assertThat(harness.startFailure.reason()).isEqualTo(ErrorReason.MESSAGE_TOO_LARGE);
        }
        assertThat(mebibyte.refCnt()).as("every slice released").isEqualTo(1);
        mebibyte.release();
    }

    private static CompositeByteBuf mebibytes(ByteBuf mebibyte, int count) {
        CompositeByteBuf composite = Unpooled.compositeBuffer(count);
        for (int i = 0; i < count; i++) {
            composite.addComponent(true, mebibyte.retainedSlice());
        }
        return composite;
    }

    private static void interleavePartialSends(FramerHarness first, FramerHarness second) {
        first.send("hel".getBytes(), MessageContext.create(), false);
        second.send("wor".getBytes(), MessageContext.create(), false);
        first.send("lo".getBytes(), MessageContext.create(), true);
        second.send("ld".getBytes(), MessageContext.create(), true);
        assertThat(first.written()).isEqualTo(new byte[] {0, 5, 'h', 'e', 'l', 'l', 'o'});
        assertThat(second.written()).isEqualTo(new byte[] {0, 5, 'w', 'o', 'r', 'l', 'd'});
    }

    private static Framer framerOf(FramerHarness harness) throws ReflectiveOperationException {
        return harness.lowest().framer;
    }

    /** A user framer passing calls to a built-in one through a context of its own (one per Connection). */
    private static final class WrappingFramer implements Framer {
        private final Framer inner;
        private FramerContext own;

        WrappingFramer(Framer inner) {
            this.inner = inner;
        }

        private FramerContext own(FramerContext taps) {
            if (own == null) {
                own = (FramerContext) Proxy.newProxyInstance(FramerContext.class.getClassLoader(),
                        new Class<?>[] {FramerContext.class}, (proxy, method, args) -> switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "toString" -> "own context";
                            default -> method.invoke(taps, args);
                        });
            }
            return own;
        }

        @Override
        public void newSentMessage(FramerContext context, ByteBuf data, MessageContext messageContext,
                boolean endOfMessage) {
            inner.newSentMessage(own(context), data, messageContext, endOfMessage);
        }

        @Override
        public void handleReceivedData(FramerContext context) {
            inner.handleReceivedData(own(context));
        }

        @Override
        public void stop(FramerContext context) {
            inner.stop(own(context));
        }
    }
}

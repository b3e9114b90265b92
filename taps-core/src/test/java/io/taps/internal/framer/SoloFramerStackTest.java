package io.taps.internal.framer;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.ErrorReason;
import io.taps.framer.Framer;
import io.taps.framer.FramerContext;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The only framer of a channel is its own {@link FramerStack} (issue 21 figure 12): it keeps a
 * {@link FramerChain} only while its outcome is pending, and makes one again when it adds a
 * framer below itself after Ready; the outcome is still told exactly once.
 */
class SoloFramerStackTest {

    @Test
    void aFramerReadyLaterKeepsItsChainUntilThenAndNotAfter() throws Exception {
        FramerContext[] started = new FramerContext[1];
        Framer late = new Framer() {
            @Override
            public void start(FramerContext context) {
                started[0] = context;
            }

            @Override
            public void handleReceivedData(FramerContext context) {
                context.deliverAndAdvanceReceiveCursor(context.receivedContext(), context.readableBytes(), true);
            }
        };
        try (FramerHarness harness = new FramerHarness(() -> late).start()) {
            assertThat(harness.ready).isFalse();
            assertThat(chainOf(harness)).as("pending: the chain counts the framer").isNotNull();
            started[0].makeConnectionReady();
            assertThat(harness.ready).isTrue();
            assertThat(rareOf(harness)).as("told: neither chain nor seldom-used state kept").isNull();
            started[0].makeConnectionReady();
            started[0].failConnection(ErrorReason.PROTOCOL_FAILED, "after Ready");
            assertThat(harness.startFailure).as("the outcome is told once").isNull();
            assertThat(harness.failures).extracting(io.taps.TransportServicesException::reason)
                    .containsExactly(ErrorReason.PROTOCOL_FAILED);
        }
    }

    @Test
    void aFramerFailingInItsStartRejectsTheCandidateOnce() throws Exception {
        Framer refusing = new Framer() {
            @Override
            public void start(FramerContext context) {
                context.failConnection(ErrorReason.ESTABLISHMENT_FAILED, "no greeting");
                context.makeConnectionReady();
            }

            @Override
            public void handleReceivedData(FramerContext context) {
            }
        };
        try (FramerHarness harness = new FramerHarness(() -> refusing).start()) {
            assertThat(harness.ready).isFalse();
            assertThat(harness.startFailure.reason()).isEqualTo(ErrorReason.ESTABLISHMENT_FAILED);
            assertThat(harness.failures).as("told to the attempt, not the Connection").isEmpty();
            assertThat(rareOf(harness)).isNull();
        }
    }

    /** STARTTLS-style after Ready: the settled framer makes a chain again and the added framer is lowest. */
    @Test
    void aSettledFramerAddingOneBelowItselfAfterReadyFramesThroughIt() throws Exception {
        Framer greeting = new Framer() {
            @Override
            public void handleReceivedData(FramerContext context) {
                context.advanceReceiveCursor(1);
                context.prependFramer(LengthPrefixFramer.factory(1).newFramer());
                context.startPassthrough();
            }
        };
        try (FramerHarness harness = new FramerHarness(() -> greeting).start()) {
            assertThat(harness.ready).isTrue();
            assertThat(rareOf(harness)).isNull();
            harness.feed(new byte[] {'G', 2, 'a', 'b', 1});
            harness.feed(new byte[] {'c'});
            assertThat(harness.messages()).extracting(m -> new String(m.bytes(), StandardCharsets.US_ASCII))
                    .containsExactly("ab", "c");
            harness.send("xy".getBytes(), io.taps.MessageContext.create(), true);
            assertThat(harness.written()).containsExactly(2, 'x', 'y');
            assertThat(harness.stack).as("still the stack the Connection holds").isInstanceOf(FramerRuntime.class);
            assertThat(chainOf(harness)).as("two framers now share a chain").isNotNull();
        }
    }

    private static Object rareOf(FramerHarness harness) throws ReflectiveOperationException {
        java.lang.reflect.Field field = FramerInput.class.getDeclaredField("rare");
        field.setAccessible(true);
        return field.get(harness.stack);
    }

    private static Object chainOf(FramerHarness harness) throws ReflectiveOperationException {
        Object rare = rareOf(harness);
        return rare == null ? null : ((RareState) rare).chain;
    }
}

package io.taps.internal.framer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelFuture;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.framer.delimiter.DelimiterFramer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The delimiter framer on the real framer pipeline (RFC 9623 §6.2, §6.3). */
class DelimiterFramerTest {

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static List<String> texts(FramerHarness harness) {
        return harness.messages().stream().map(w -> new String(w.bytes(), StandardCharsets.US_ASCII)).toList();
    }

    @Test
    void linesAtEveryByteBoundaryWithEmptyAndMaxSizeLines() {
        String max = "x".repeat(32);
        byte[] wire = ascii("one\n\n" + max + "\nlast\n");
        for (int split = 0; split <= wire.length; split++) {
            try (FramerHarness harness = new FramerHarness(
                    DelimiterFramer.builder(new byte[] {'\n'}).maxMessageSize(32).factory()).start()) {
                harness.feed(wire, 0, split).feed(wire, split, wire.length).endInput();
                assertThat(texts(harness)).containsExactly("one", "", max, "last");
                assertThat(harness.failures).isEmpty();
            }
        }
    }

    @Test
    void multiByteDelimiterSplitAtEveryBoundary() {
        byte[] wire = ascii("GET /\r\n\r\n\r\n\r\nbody\r\n\r\n");
        for (int split = 0; split <= wire.length; split++) {
            for (int split2 = split; split2 <= wire.length; split2 += 3) {
                try (FramerHarness harness = new FramerHarness(DelimiterFramer.factory(ascii("\r\n\r\n"))).start()) {
                    harness.feed(wire, 0, split).feed(wire, split, split2).feed(wire, split2, wire.length);
                    assertThat(texts(harness)).containsExactly("GET /", "", "body");
                }
            }
        }
    }

    @Test
    void byteByByteAndManyPerRead() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            text.append("line ").append(i).append('\n');
        }
        byte[] wire = ascii(text.toString());
        try (FramerHarness many = new FramerHarness(DelimiterFramer.lines()).start();
                FramerHarness single = new FramerHarness(DelimiterFramer.lines()).start()) {
            many.feed(wire);
            for (int i = 0; i < wire.length; i++) {
                single.feed(wire, i, i + 1);
            }
            assertThat(texts(many)).hasSize(1000).startsWith("line 0").endsWith("line 999");
            assertThat(texts(single)).isEqualTo(texts(many));
        }
    }

    @Test
    void crlfTolerantAndKeepDelimiter() {
        try (FramerHarness crlf = new FramerHarness(DelimiterFramer.builder(ascii("\n")).crlfTolerant().factory())
                .start();
                FramerHarness keep = new FramerHarness(DelimiterFramer.builder(ascii("\n")).keepDelimiter().factory())
                        .start()) {
            crlf.feed(ascii("a\r\nb\n\r\n"));
            keep.feed(ascii("a\r\nb\n"));
            assertThat(texts(crlf)).containsExactly("a", "b", "");
            assertThat(texts(keep)).containsExactly("a\r\n", "b\n");
        }
    }

    @Test
    void missingDelimiterPastTheLimitFailsAfterEarlierLinesWithBoundedMemory() {
        try (FramerHarness harness = new FramerHarness(
                DelimiterFramer.builder(ascii("\n")).maxMessageSize(100).factory()).start()) {
            harness.feed(ascii("ok\nfine\n"));
            for (int i = 0; i < 50 && harness.failures.isEmpty(); i++) {
                harness.feed(ascii("y".repeat(30)));
                assertThat(harness.lowest().buffered()).isLessThanOrEqualTo(100 + 1 + 30);
            }
            assertThat(texts(harness)).containsExactly("ok", "fine");
            assertThat(harness.failures).singleElement().satisfies(e -> {
                assertThat(e.reason()).isEqualTo(ErrorReason.MESSAGE_TOO_LARGE);
                assertThat(e.getMessage()).contains("no delimiter").contains("100");
            });
            harness.feed(ascii("z".repeat(1000)));
            assertThat(harness.lowest().buffered()).isZero();
        }
    }

    @Test
    void streamEndingWithoutDelimiterIsDeframingFailed() {
        try (FramerHarness harness = new FramerHarness(DelimiterFramer.lines()).start()) {
            harness.feed(ascii("whole\npart")).endInput();
            assertThat(texts(harness)).containsExactly("whole");
            assertThat(harness.failures).singleElement()
                    .satisfies(e -> assertThat(e.reason()).isEqualTo(ErrorReason.DEFRAMING_FAILED));
        }
    }

    @Test
    void sendAppendsTheDelimiterAndRefusesMessagesContainingIt() {
        try (FramerHarness harness = new FramerHarness(DelimiterFramer.lines()).start()) {
            harness.send(ascii("hello"), MessageContext.create(), true);
            harness.send(ascii("par"), MessageContext.create(), false);
            harness.send(ascii("tial"), MessageContext.create(), true);
            assertThat(new String(harness.written(), StandardCharsets.US_ASCII)).isEqualTo("hello\npartial\n");
            ChannelFuture refused = harness.send(ascii("two\nlines"), MessageContext.create(), true);
            assertThat(((TransportServicesException) refused.cause()).reason())
                    .isEqualTo(ErrorReason.INVALID_MESSAGE_PROPERTIES);
        }
    }
}

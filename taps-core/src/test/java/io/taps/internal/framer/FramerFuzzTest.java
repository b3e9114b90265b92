package io.taps.internal.framer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.taps.MessageContext;
import io.taps.framer.FramerFactory;
import io.taps.framer.delimiter.DelimiterFramer;
import io.taps.framer.lengthprefix.LengthPrefixFramer;
import io.taps.framer.tlv.TlvFramer;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the built-in framers and a chain of two with random and mutated frames, cut into random
 * reads, with and without an early end of input, and random sends (fixed seed, so a failure
 * replays). {@code -Dtaps.fuzz.iterations=10000000} runs more than the default 10^5.
 *
 * <p>It asserts that no exception escapes the pipeline, that well-formed input is deframed
 * exactly, that every buffer taps or the test allocated is released after every input (a
 * tracking allocator), and that Netty's leak detector (PARANOID in the test JVM) reports no leak
 * of a taps buffer.
 */
class FramerFuzzTest {
    private static final long SEED = 0x7A95_F00DL;
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static ResourceLeakDetector<?> detector;

    @BeforeAll
    static void listenForLeaks() throws Exception {
        Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
        field.setAccessible(true);
        detector = (ResourceLeakDetector<?>) field.get(null);
        detector.setLeakListener((type, records) -> {
            if (records.contains("io.taps")) {
                LEAKS.add(type + ": " + records);
            }
        });
    }

    @AfterAll
    static void stopListening() {
        detector.setLeakListener(null);
    }

    /** One framer configuration under test: how to make it and how to frame well-formed input. */
    private record Config(String name, Supplier<FramerFactory[]> factories, Encoder encoder, int maxMessage) {
    }

    private interface Encoder {
        void encode(ByteArrayOutputStream out, byte[] message, long type);
    }

    private static void field(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            out.write((int) (value >>> (8 * i)));
        }
    }

    private static List<Config> configs() {
        List<Config> configs = new ArrayList<>();
        for (int width : new int[] {1, 2, 4, 8}) {
            configs.add(new Config("length-prefix " + width,
                    () -> new FramerFactory[] {LengthPrefixFramer.builder(width).maxMessageSize(200).factory()},
                    (out, message, type) -> {
                        field(out, message.length, width);
                        out.writeBytes(message);
                    }, Math.min(200, width == 1 ? 255 : 200)));
        }
        configs.add(new Config("tlv 2/2", () -> new FramerFactory[] {TlvFramer.builder(2, 2).maxMessageSize(150).factory()},
                (out, message, type) -> {
                    field(out, type, 2);
                    field(out, message.length, 2);
                    out.writeBytes(message);
                }, 150));
        configs.add(new Config("lines", () -> new FramerFactory[] {
                DelimiterFramer.builder(new byte[] {'\n'}).maxMessageSize(100).crlfTolerant().factory()},
                (out, message, type) -> {
                    out.writeBytes(message);
                    out.write('\n');
                }, 100));
        configs.add(new Config("delimiter CRLF", () -> new FramerFactory[] {
                DelimiterFramer.builder(new byte[] {'\r', '\n'}).maxMessageSize(100).factory()},
                (out, message, type) -> {
                    out.writeBytes(message);
                    out.write('\r');
                    out.write('\n');
                }, 100));
        configs.add(new Config("tlv over length-prefix", () -> new FramerFactory[] {
                TlvFramer.builder(1, 1).maxMessageSize(120).factory(),
                LengthPrefixFramer.builder(2).maxMessageSize(300).factory()},
                (out, message, type) -> {
                    field(out, message.length + 2, 2);
                    field(out, type, 1);
                    field(out, message.length, 1);
                    out.writeBytes(message);
                }, 120));
        return configs;
    }

    private static byte[] message(Random random, Config config) {
        int length = random.nextInt(4) == 0 ? 0 : random.nextInt(config.maxMessage() + 1);
        if (random.nextInt(8) == 0) {
            length = config.maxMessage();
        }
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        if (config.name().startsWith("lines") || config.name().startsWith("delimiter")) {
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n' || bytes[i] == '\r') {
                    bytes[i] = 'x';
                }
            }
        }
        return bytes;
    }

    private static byte[] mutate(Random random, byte[] wire) {
        byte[] out = wire.clone();
        switch (random.nextInt(6)) {
            case 0: // flip some bytes
                for (int i = 0, n = 1 + random.nextInt(4); i < n && out.length > 0; i++) {
                    out[random.nextInt(out.length)] ^= (byte) (1 + random.nextInt(255));
                }
                return out;
            case 1: // truncate
                return java.util.Arrays.copyOf(out, out.length == 0 ? 0 : random.nextInt(out.length));
            case 2: { // insert garbage
                byte[] garbage = new byte[1 + random.nextInt(40)];
                random.nextBytes(garbage);
                int at = random.nextInt(out.length + 1);
                ByteArrayOutputStream joined = new ByteArrayOutputStream();
                joined.write(out, 0, at);
                joined.writeBytes(garbage);
                joined.write(out, at, out.length - at);
                return joined.toByteArray();
            }
            case 3: { // pure garbage
                byte[] garbage = new byte[random.nextInt(600)];
                random.nextBytes(garbage);
                return garbage;
            }
            case 4: // huge length fields
                for (int i = 0; i < Math.min(out.length, 8); i++) {
                    out[i] = (byte) 0xff;
                }
                return out;
            default: { // duplicate a slice
                if (out.length == 0) {
                    return out;
                }
                int from = random.nextInt(out.length);
                int to = from + random.nextInt(out.length - from + 1);
                ByteArrayOutputStream joined = new ByteArrayOutputStream();
                joined.writeBytes(out);
                joined.write(out, from, to - from);
                return joined.toByteArray();
            }
        }
    }

    @Test
    void randomAndMutatedFramesNeverThrowNorLeak() {
        int iterations = Integer.getInteger("taps.fuzz.iterations", 100_000);
        Random random = new Random(SEED);
        List<Config> configs = configs();
        int wellFormed = 0;
        for (int iteration = 0; iteration < iterations; iteration++) {
            Config config = configs.get(random.nextInt(configs.size()));
            List<byte[]> messages = new ArrayList<>();
            List<Long> types = new ArrayList<>();
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            for (int i = 0, n = random.nextInt(5); i < n; i++) {
                byte[] message = message(random, config);
                long type = random.nextInt(256);
                messages.add(message);
                types.add(type);
                config.encoder().encode(wire, message, type);
            }
            boolean mutated = random.nextInt(3) != 0;
            byte[] input = mutated ? mutate(random, wire.toByteArray()) : wire.toByteArray();
            boolean endInput = random.nextBoolean();
            try (FramerHarness harness = new FramerHarness(config.factories().get()).start()) {
                int offset = 0;
                while (offset < input.length) {
                    int chunk = 1 + random.nextInt(Math.max(1, random.nextBoolean() ? 8 : input.length));
                    int end = Math.min(input.length, offset + chunk);
                    harness.feed(input, offset, end);
                    offset = end;
                }
                if (random.nextInt(4) == 0) {
                    byte[] payload = new byte[random.nextInt(config.maxMessage() * 2 + 1)];
                    harness.send(payload, TlvFramer.withType(MessageContext.create(), random.nextInt(300)),
                            random.nextBoolean());
                    harness.written();
                }
                if (endInput) {
                    harness.endInput();
                }
                harness.channel.checkException();
                assertThat(harness.parts.size()).isLessThanOrEqualTo(input.length + 1);
                if (!mutated) {
                    wellFormed++;
                    List<FramerHarness.Whole> received = harness.messages();
                    assertThat(received).as("%s iteration %d", config.name(), iteration).hasSize(messages.size());
                    for (int i = 0; i < messages.size(); i++) {
                        assertThat(received.get(i).bytes()).isEqualTo(messages.get(i));
                    }
                    assertThat(harness.failures).as("%s iteration %d", config.name(), iteration).isEmpty();
                }
            }
        }
        assertThat(wellFormed).isGreaterThan(iterations / 4);
        // Let the leak detector see anything unreachable but unreleased, then check its reports.
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (int i = 0; i < 100; i++) {
                ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(8);
                probe.release();
            }
        }
        assertThat(LEAKS).isEmpty();
    }
}

package io.taps.reliability;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the tests of a class with Netty's leak detection at {@code PARANOID} (every buffer tracked)
 * and fails a test when Netty reports a leaked buffer while it ran.
 *
 * <p>Netty reports a leak only when a tracked buffer was garbage collected unreleased and a later
 * allocation polls the detector's queue, so after each test this collects garbage and allocates
 * until the queue has been polled. Leaks left by earlier test classes are flushed (and logged by
 * Netty as usual) before the class starts, so they are not blamed on it. The surefire configuration
 * already sets PARANOID for the whole suite; setting it here too keeps it when a class runs alone
 * from an IDE.
 */
public final class NettyLeakDetection implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        AfterAllCallback {
    private static final int FLUSH_ROUNDS = 4;
    private static final List<String> LEAKS = new ArrayList<>();
    private ResourceLeakDetector.Level previousLevel;

    @Override
    public void beforeAll(ExtensionContext context) {
        previousLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        flush();
        detector().setLeakListener(NettyLeakDetection::record);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        synchronized (LEAKS) {
            LEAKS.clear();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        flush();
        List<String> leaks;
        synchronized (LEAKS) {
            leaks = List.copyOf(LEAKS);
            LEAKS.clear();
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty reported " + leaks.size() + " leaked buffer(s) during "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        detector().setLeakListener(null);
        ResourceLeakDetector.setLevel(previousLevel);
    }

    private static void record(String resourceType, String records) {
        synchronized (LEAKS) {
            LEAKS.add(resourceType + " " + records);
        }
    }

    /** Collects garbage and allocates tracked buffers, so that Netty reports every leak collected so far. */
    static void flush() {
        for (int round = 0; round < FLUSH_ROUNDS; round++) {
            System.gc();
            // Each tracked allocation polls the detector's queue of collected, unreleased buffers.
            for (ByteBufAllocator allocator : List.of(ByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT)) {
                ByteBuf probe = allocator.directBuffer(1);
                probe.release();
                probe = allocator.heapBuffer(1);
                probe.release();
            }
        }
    }

    /** The detector every ByteBuf is tracked by (a static of AbstractByteBuf that Netty does not expose). */
    private static ResourceLeakDetector<?> detector() {
        try {
            Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            return (ResourceLeakDetector<?>) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach Netty's ByteBuf leak detector", e);
        }
    }
}

package io.taps.reliability;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Memory in bytes, as an abuse test asserts it: the heap still used after a full garbage
 * collection (MemoryMXBean), and the direct memory Netty holds: its default allocator's own
 * count (pooled or adaptive, both report {@link ByteBufAllocatorMetric}), Netty's direct memory
 * counter ({@link PlatformDependent#usedDirectMemory()}, -1 when Netty does not count) and the
 * JDK's direct buffer pool.
 */
public final class MemoryProbe {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private MemoryProbe() {
    }

    /** One measurement; {@link #minus} gives what happened in between. */
    public record Snapshot(long heapAfterGc, long nettyAllocatorDirect, long nettyDirect, long jdkDirect) {
        /** Heap plus the direct memory of Netty's allocator: what received data can pin. */
        public long total() {
            return heapAfterGc + nettyAllocatorDirect;
        }

        public Snapshot minus(Snapshot before) {
            return new Snapshot(heapAfterGc - before.heapAfterGc, nettyAllocatorDirect - before.nettyAllocatorDirect,
                    nettyDirect - before.nettyDirect, jdkDirect - before.jdkDirect);
        }

        @Override
        public String toString() {
            return String.format("heap after GC %,d B, Netty allocator direct %,d B, Netty direct counter %,d B, "
                    + "JDK direct buffers %,d B (total heap + allocator direct %,d B)",
                    heapAfterGc, nettyAllocatorDirect, nettyDirect, jdkDirect, total());
        }
    }

    /** Measures after collecting garbage until the heap no longer shrinks (a few full GCs). */
    public static Snapshot measure() {
        long heap = collectGarbage();
        return new Snapshot(heap, allocatorDirect(), PlatformDependent.usedDirectMemory(), jdkDirect());
    }

    private static long collectGarbage() {
        long previous = Long.MAX_VALUE;
        long used = heapUsed();
        for (int round = 0; round < 8 && used < previous - (256 << 10); round++) {
            previous = used;
            System.gc();
            used = heapUsed();
        }
        return used;
    }

    private static long heapUsed() {
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    private static long allocatorDirect() {
        ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        if (allocator instanceof ByteBufAllocatorMetricProvider) {
            ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) allocator).metric();
            return metric.usedDirectMemory();
        }
        return 0;
    }

    private static long jdkDirect() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }
}

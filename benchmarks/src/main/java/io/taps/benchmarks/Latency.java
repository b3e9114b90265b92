package io.taps.benchmarks;

import java.util.Arrays;

/**
 * A log-linear histogram of round-trip times in nanoseconds (128 buckets per power of two, so a
 * percentile is within 1 %), recorded by the flows on their event loop and read by
 * {@link LatencyProfiler} between JMH iterations. One benchmark runs per JVM fork, so one
 * process-wide histogram ({@link #ROUND_TRIPS}) is enough.
 */
public final class Latency {
    /** The round trips of the flow running in this JVM. */
    public static final Latency ROUND_TRIPS = new Latency();

    private static final int SUB_BITS = 7;
    private static final int SUB = 1 << SUB_BITS;

    private final long[] counts = new long[(64 - SUB_BITS + 1) * SUB];
    private long total;

    /** Records one value; called on one thread at a time (the flow's event loop). */
    public void record(long nanos) {
        counts[index(Math.max(0, nanos))]++;
        total++;
    }

    public synchronized void reset() {
        Arrays.fill(counts, 0);
        total = 0;
    }

    public synchronized long count() {
        return total;
    }

    /** The value at {@code fraction} (0.5 = median) in nanoseconds, or NaN when empty. */
    public synchronized double percentile(double fraction) {
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(fraction * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return value(i);
            }
        }
        return value(counts.length - 1);
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int shift = 63 - Long.numberOfLeadingZeros(v) - SUB_BITS;
        return (shift + 1) * SUB + (int) ((v >>> shift) & (SUB - 1));
    }

    /** The middle of bucket {@code index}. */
    static double value(int index) {
        if (index < SUB) {
            return index;
        }
        int shift = index / SUB - 1;
        long low = (long) (SUB + index % SUB) << shift;
        return low + ((1L << shift) - 1) / 2.0;
    }
}

package io.taps.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Figure 1: bulk TCP throughput on one connection. Each operation writes one 64 KiB message to a
 * discarding raw Netty server, with at most {@link #WINDOW} writes outstanding (1 MiB, inside
 * taps' send queue limit); the report turns operations/s into Gbit/s of payload.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class Bulk {
    /** Writes in flight. */
    public static final int WINDOW = 16;

    @State(Scope.Benchmark)
    public static class Taps extends TapsFlow {
        public Taps() {
            super(Workload.BULK, WINDOW);
        }
    }

    @State(Scope.Benchmark)
    public static class Netty extends NettyFlow {
        public Netty() {
            super(Workload.BULK, WINDOW);
        }
    }

    @Benchmark
    public void taps(Taps flow) throws InterruptedException {
        flow.operation();
    }

    @Benchmark
    public void netty(Netty flow) throws InterruptedException {
        flow.operation();
    }
}

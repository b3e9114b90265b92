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
 * Figure 3: 64 B requests over TCP with the 4-byte length prefix, {@link #WINDOW} outstanding on
 * one connection; an operation is one response received (and one more request sent), so the score
 * is messages/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class Pipelined {
    /** Requests outstanding. */
    public static final int WINDOW = 64;

    @State(Scope.Benchmark)
    public static class Taps extends TapsFlow {
        public Taps() {
            super(Workload.TCP, WINDOW);
        }
    }

    @State(Scope.Benchmark)
    public static class Netty extends NettyFlow {
        public Netty() {
            super(Workload.TCP, WINDOW);
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

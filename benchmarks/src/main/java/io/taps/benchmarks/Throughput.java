package io.taps.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Figures 1 and 3, operations per second on one connection with a window outstanding:
 * {@code BULK} writes 64 KiB messages to a discarding server, 16 in flight (1 MiB, inside taps' send
 * queue limit; the report turns operations/s into payload Gbit/s); {@code PIPELINED} sends 64 B
 * requests with the 4-byte length prefix to an echo server, 64 outstanding (an operation is one
 * response, so the score is messages/s).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class Throughput {

    @State(Scope.Benchmark)
    public static class Taps extends TapsFlow {
        @Param({"BULK", "PIPELINED"})
        public String workload;

        @Override
        protected Workload workload() {
            return Workload.valueOf(workload);
        }
    }

    @State(Scope.Benchmark)
    public static class Netty extends NettyFlow {
        @Param({"BULK", "PIPELINED"})
        public String workload;

        @Override
        protected Workload workload() {
            return Workload.valueOf(workload);
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

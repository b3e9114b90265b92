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
 * Figures 2, 5 (request/response) and 6, and the allocation figure 8: one 64 B request outstanding
 * on one connection, echoed by a raw Netty server. {@code workload} is TCP (4-byte length prefix), TLS
 * (TLS 1.3, the same framing) or UDP (one datagram each way).
 *
 * <p>Sampled time per round trip: the report shows round trips/s (1/mean) and the p50/p99 latency.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class RequestResponse {

    @State(Scope.Benchmark)
    public static class Taps extends TapsFlow {
        @Param({"TCP", "TLS", "UDP"})
        public String workload;

        @Override
        protected Workload workload() {
            return Workload.valueOf(workload);
        }
    }

    @State(Scope.Benchmark)
    public static class Netty extends NettyFlow {
        @Param({"TCP", "TLS", "UDP"})
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

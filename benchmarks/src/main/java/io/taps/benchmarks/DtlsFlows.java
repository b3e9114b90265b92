package io.taps.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Figure 11 (issue 18): DTLS 64 B request/response, 1 outstanding, round trips/s. The taps client
 * (DTLS/UDP, selected by {@code unreliableDatagram()} with security on) and the raw baseline (the
 * JDK's DTLS {@code SSLEngine} in a minimal Netty handler, {@link Dtls}) both talk to the same raw
 * DTLS echo server in the same run. Its own class so the flows of {@link Flows} keep their parameters.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class DtlsFlows {

    @State(Scope.Benchmark)
    public static class Taps extends TapsFlow {
        @Param({"DTLS"})
        public String workload;

        @Override
        protected Workload workload() {
            return Workload.valueOf(workload);
        }
    }

    @State(Scope.Benchmark)
    public static class Netty extends NettyFlow {
        @Param({"DTLS"})
        public String workload;

        @Override
        protected Workload workload() {
            return Workload.valueOf(workload);
        }
    }

    @Benchmark
    @OperationsPerInvocation(Flow.BATCH)
    public void taps(Taps flow) throws InterruptedException {
        flow.batch();
    }

    @Benchmark
    @OperationsPerInvocation(Flow.BATCH)
    public void netty(Netty flow) throws InterruptedException {
        flow.batch();
    }
}

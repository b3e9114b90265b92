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
 * Figures 4 and 5 (handshakes): connections per second, each established, closed and closed by the
 * peer in turn. {@code workload} TCP is connect + close; TLS adds a full TLS 1.3 handshake (the
 * server never resumes a session). taps resolves {@code localhost} to [::1] and 127.0.0.1 and races
 * the two families on every Initiate (issue 21: "with racing on"); raw Netty and Reactor Netty
 * connect to 127.0.0.1; the server listens on both (see {@link ConnectClose}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class Connect {

    @State(Scope.Benchmark)
    public static class Taps extends ConnectClose.Taps {
        @Param({"TCP", "TLS"})
        public String workload;

        @Override
        protected boolean tls() {
            return "TLS".equals(workload);
        }
    }

    @State(Scope.Benchmark)
    public static class Netty extends ConnectClose.Netty {
        @Param({"TCP", "TLS"})
        public String workload;

        @Override
        protected boolean tls() {
            return "TLS".equals(workload);
        }
    }

    /** The second baseline (issue 21): Reactor Netty's TcpClient, the same connect and close exchange. */
    @State(Scope.Benchmark)
    public static class Reactor extends ConnectClose.Reactor {
        @Param({"TCP", "TLS"})
        public String workload;

        @Override
        protected boolean tls() {
            return "TLS".equals(workload);
        }
    }

    @Benchmark
    public void taps(Taps connections) {
        connections.connectAndClose();
    }

    @Benchmark
    public void netty(Netty connections) {
        connections.connectAndClose();
    }

    @Benchmark
    public void reactor(Reactor connections) {
        connections.connectAndClose();
    }
}

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
 * Figure 12 (issue 21 item 4): N = 1,000, 10,000 and 50,000 concurrent TCP connections held open
 * against one server, idle, then all active: one invocation sends one 64 B length-prefixed request
 * on every connection and waits for all N echoes (the report turns invocations/s into round
 * trips/s). The server is what differs: a taps Listener, a raw Netty ServerBootstrap or a Reactor
 * Netty TcpServer ({@link ScaleServer}), each in a JVM of its own so that its heap per connection
 * (measured after GC, after the iteration's traffic) and RSS are its own; the clients are the same
 * raw Netty channels in the benchmark JVM ({@link ScaleClients}). With
 * {@code -prof io.taps.benchmarks.ScaleProfiler} the results carry {@code scale.heapPerConnection}
 * (bytes) and {@code scale.rssMiB}.
 *
 * <p>Needs 2 N file descriptors across the two JVMs (run.sh raises {@code ulimit -n}) and runs best
 * in a network namespace of its own (run.sh uses {@code unshare -n}), where the 50,000 client ports
 * do not compete with anything else on the machine.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 2, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class Scale {

    @State(Scope.Benchmark)
    public static class Taps extends ScaleClients {
        @Param({"1000", "10000", "50000"})
        public String workload;

        @Override
        protected String serverKind() {
            return "taps";
        }

        @Override
        protected int connections() {
            return Integer.parseInt(workload);
        }
    }

    @State(Scope.Benchmark)
    public static class Netty extends ScaleClients {
        @Param({"1000", "10000", "50000"})
        public String workload;

        @Override
        protected String serverKind() {
            return "netty";
        }

        @Override
        protected int connections() {
            return Integer.parseInt(workload);
        }
    }

    @State(Scope.Benchmark)
    public static class Reactor extends ScaleClients {
        @Param({"1000", "10000", "50000"})
        public String workload;

        @Override
        protected String serverKind() {
            return "reactor";
        }

        @Override
        protected int connections() {
            return Integer.parseInt(workload);
        }
    }

    @Benchmark
    public void taps(Taps clients) throws InterruptedException {
        clients.sweep();
    }

    @Benchmark
    public void netty(Netty clients) throws InterruptedException {
        clients.sweep();
    }

    @Benchmark
    public void reactor(Reactor clients) throws InterruptedException {
        clients.sweep();
    }
}

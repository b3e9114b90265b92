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
 * Figures 1, 2, 3, 5 (request/response), 6, 7 and the allocation figure 8: operations per second on
 * one connection, each run as a closed loop on the client's event loop (see {@link Flow}), against
 * a raw Netty server. {@code workload}:
 * <ul>
 *   <li>{@code BULK}: 64 KiB messages to a discarding server, 16 in flight (1 MiB, inside taps' send
 *       queue limit); the report turns operations/s into payload Gbit/s;</li>
 *   <li>{@code PIPELINED}: 64 B requests with a 4-byte length prefix to an echo server, 64
 *       outstanding; an operation is one response, so the score is messages/s. Each response
 *       sends the next request from its handler; both clients flush those once per read (taps'
 *       framer holds them while it delivers the read, the raw client flushes at channelReadComplete,
 *       see {@link NettyFlow}), so the row compares libraries, not flush policies;</li>
 *   <li>{@code TCP}, {@code TLS} (TLS 1.3, the same framing), {@code UDP} (one datagram each way):
 *       64 B request/response with 1 outstanding, round trips/s;</li>
 *   <li>{@code QUIC} (figure 7): the framed 64 B request/response on one stream of a QUIC
 *       connection (TLS 1.3), 1 outstanding, against a raw Netty QUIC echo server.</li>
 *   <li>{@code QUIC_DATAGRAM} (figure 7d): 64 B in one QUIC DATAGRAM frame each way (RFC 9221; taps'
 *       datagram Connection), 1 outstanding, against a raw Netty QUIC datagram echo server.</li>
 * </ul>
 *
 * <p>With {@code -prof io.taps.benchmarks.LatencyProfiler} the results also carry the p50/p99
 * round-trip time ({@code rtt.p50}, {@code rtt.p99}, µs), from the send to the response on the
 * client's event loop.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class Flows {

    @State(Scope.Benchmark)
    public static class Taps extends TapsFlow {
        @Param({"BULK", "PIPELINED", "TCP", "TLS", "UDP", "QUIC", "QUIC_DATAGRAM"})
        public String workload;

        @Override
        protected Workload workload() {
            return Workload.valueOf(workload);
        }
    }

    @State(Scope.Benchmark)
    public static class Netty extends NettyFlow {
        @Param({"BULK", "PIPELINED", "TCP", "TLS", "UDP", "QUIC", "QUIC_DATAGRAM"})
        public String workload;

        @Override
        protected Workload workload() {
            return Workload.valueOf(workload);
        }
    }

    /**
     * The second baseline (issue 21): Reactor Netty's TcpClient/UdpClient. No QUIC, QUIC_DATAGRAM:
     * reactor-netty-core has no QUIC client (the report prints n/a).
     */
    @State(Scope.Benchmark)
    public static class Reactor extends ReactorFlow {
        @Param({"BULK", "PIPELINED", "TCP", "TLS", "UDP"})
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

    @Benchmark
    @OperationsPerInvocation(Flow.BATCH)
    public void reactor(Reactor flow) throws InterruptedException {
        flow.batch();
    }
}

package io.taps.benchmarks;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One client connection and a closed loop of operations on it: the JMH state behind the bulk,
 * request/response and pipelined benchmarks, with a taps ({@link TapsFlow}) and a raw Netty
 * ({@link NettyFlow}) implementation that differ only in the client library.
 *
 * <p>A JMH invocation is a batch of {@link #BATCH} operations driven by the client's event loop:
 * the benchmark thread sends the first {@code window} units (requests, or bulk chunks), and every
 * completion (a response, or for bulk a finished write) sends the next one from the completion
 * handler itself, until the batch is done and the benchmark thread is woken. So the loop runs as
 * an event-driven application would, the hand-off between the benchmark thread and the event loop
 * costs once per batch instead of once per operation, and the number measured is the library's.
 * Window 1 is request/response, 64 is pipelining; for bulk the window bounds the data in flight
 * (well inside taps' send queue limit, so no SendQueueFull).
 *
 * <p>Every request's round-trip time goes into {@link Latency#ROUND_TRIPS}, which
 * {@link LatencyProfiler} turns into p50/p99 results.
 */
public abstract class Flow {
    /** Operations per JMH invocation (the benchmarks' {@code @OperationsPerInvocation}). */
    public static final int BATCH = 2048;

    private final Semaphore batchDone = new Semaphore(0);
    private Workload workload;
    /** Send times of the outstanding requests, oldest at {@code oldest}; responses come in order. */
    private long[] sentAt;
    private int oldest;
    private int next;
    /** Counters of the running batch, written by the benchmark thread before it starts, then by the event loop. */
    private int toSend;
    private int toComplete;
    private NettyFixture.Server server;
    private volatile Throwable failure;
    private volatile boolean closing;

    /** The kinds of traffic, each with its window and the raw Netty server it runs against. */
    public enum Workload {
        /** Figure 1: 64 KiB chunks to a discarding TCP server, 16 writes (1 MiB) in flight; a completion is a finished write. */
        BULK(64 * 1024, 16),
        /** Figure 3: 64 B requests echoed by a TCP server speaking the 4-byte length-prefix format, 64 outstanding. */
        PIPELINED(NettyFixture.PAYLOAD, 64),
        /** Figure 2: the same, 1 outstanding. */
        TCP(NettyFixture.PAYLOAD, 1),
        /** Figure 5: the same over TLS 1.3. */
        TLS(NettyFixture.PAYLOAD, 1),
        /** Figure 6: 64 B datagrams echoed by a UDP server, 1 outstanding. */
        UDP(NettyFixture.PAYLOAD, 1),
        /** Figure 7: the framed 64 B request/response of figure 2 on one QUIC stream, 1 outstanding. */
        QUIC(NettyFixture.PAYLOAD, 1),
        /** Figure 11: 64 B datagrams, each one DTLS 1.2 record, echoed by a raw JDK-engine DTLS server, 1 outstanding. */
        DTLS(NettyFixture.PAYLOAD, 1),
        /** Figure 7d: 64 B QUIC DATAGRAM frames (RFC 9221) echoed by a raw Netty QUIC server, 1 outstanding. */
        QUIC_DATAGRAM(NettyFixture.PAYLOAD, 1);

        private final int unitBytes;
        private final int window;

        Workload(int unitBytes, int window) {
            this.unitBytes = unitBytes;
            this.window = window;
        }

        /** Application bytes per operation (the payload, without any framing). */
        public int unitBytes() {
            return unitBytes;
        }

        /** Operations outstanding. */
        public int window() {
            return window;
        }

        /** Whether the flow runs over TLS. */
        public boolean secure() {
            return this == TLS;
        }

        /** Whether messages travel in the 4-byte length-prefix format over a TCP (or TLS) stream. */
        public boolean framed() {
            return this == TCP || this == PIPELINED || this == TLS || this == QUIC;
        }

        NettyFixture.Server startServer() {
            if (this == BULK) {
                return NettyFixture.discardServer(null);
            }
            if (this == UDP) {
                return NettyFixture.udpEchoServer();
            }
            if (this == QUIC) {
                return Quic.echoServer();
            }
            if (this == DTLS) {
                return Dtls.echoServer();
            }
            if (this == QUIC_DATAGRAM) {
                return Quic.datagramEchoServer();
            }
            return NettyFixture.framedEchoServer(secure() ? Tls.serverContext() : null);
        }
    }

    /** The workload, chosen by the JMH parameter of the concrete state. */
    protected abstract Workload workload();

    @Setup(Level.Trial)
    public void setup() {
        workload = workload();
        server = workload.startServer();
        try {
            open(workload, server);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        sentAt = new long[workload.window()];
    }

    /** One JMH invocation: {@link #BATCH} operations. */
    public void batch() throws InterruptedException {
        batch(BATCH);
    }

    /** Runs {@code operations} operations (at least the window) and waits until the last completes. */
    public void batch(int operations) throws InterruptedException {
        int window = workload.window();
        // Everything the event loop reads is written before the first send hands over to it.
        toComplete = operations;
        toSend = operations - window;
        oldest = 0;
        next = 0;
        long now = System.nanoTime();
        for (int i = 0; i < window; i++) {
            sentAt[i] = now;
        }
        for (int i = 0; i < window; i++) {
            send();
        }
        if (!batchDone.tryAcquire(TapsFixture.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException(getClass().getSimpleName() + ": a batch of " + operations
                    + " did not complete in " + TapsFixture.TIMEOUT_SECONDS + " s", failure);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            closing = true;
            closeClient();
        } finally {
            server.close();
        }
        if (failure != null) {
            throw new IllegalStateException(getClass().getSimpleName() + " failed", failure);
        }
    }

    /** Connects the client to {@code server} and prepares it for {@code workload}. */
    protected abstract void open(Workload workload, NettyFixture.Server server);

    /** Sends one unit without waiting; called on the benchmark thread or the client's event loop. */
    protected abstract void send();

    /** Closes the client connection and its resources. */
    protected abstract void closeClient();

    /**
     * Called on the client's event loop for each completion: records the round trip, then sends the
     * next unit from right here, or ends the batch.
     */
    protected final void completed() {
        int window = sentAt.length;
        Latency.ROUND_TRIPS.record(System.nanoTime() - sentAt[oldest]);
        oldest = (oldest + 1) % window;
        if (--toComplete == 0) {
            batchDone.release();
            return;
        }
        if (toSend > 0) {
            toSend--;
            sentAt[next] = System.nanoTime();
            next = (next + 1) % window;
            send();
        }
    }

    /**
     * Records a failure of the client; the next operation that times out, or the teardown, reports
     * it. Errors while closing (a receive still pending at Close) are expected and ignored.
     */
    protected final void failed(Throwable cause) {
        if (failure == null && !closing) {
            failure = cause;
        }
    }
}

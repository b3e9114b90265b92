package io.taps.benchmarks;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One client connection that keeps a window of operations outstanding; the JMH state behind the
 * bulk, request/response and pipelined benchmarks, with a taps ({@link TapsFlow}) and a raw Netty
 * ({@link NettyFlow}) implementation that differ only in the client library.
 *
 * <p>An operation sends one unit (a request, or a bulk chunk) and waits for one completion (a
 * response, or for bulk the completion of a write). Setup sends {@code window - 1} units first, so
 * {@code window} stay outstanding: window 1 is request/response, 64 is pipelining, and for bulk the
 * window bounds the data in flight (well inside taps' send queue limit, so no SendQueueFull). Both
 * sides hand completions from the event loop to the benchmark thread the same way (a semaphore).
 */
public abstract class Flow {
    private final Semaphore completions = new Semaphore(0);
    private Workload workload;
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
        UDP(NettyFixture.PAYLOAD, 1);

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
            return this == TCP || this == PIPELINED || this == TLS;
        }

        NettyFixture.Server startServer() {
            if (this == BULK) {
                return NettyFixture.discardServer(null);
            }
            if (this == UDP) {
                return NettyFixture.udpEchoServer();
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
        for (int i = 1; i < workload.window(); i++) {
            send();
        }
    }

    /** One operation: send one unit and wait for one completion. */
    public void operation() throws InterruptedException {
        send();
        if (!completions.tryAcquire(TapsFixture.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException(getClass().getSimpleName() + ": nothing completed in "
                    + TapsFixture.TIMEOUT_SECONDS + " s", failure);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        try {
            // What is still outstanding completes before the connection closes, so no error is logged.
            completions.tryAcquire(workload.window() - 1, TapsFixture.TIMEOUT_SECONDS, TimeUnit.SECONDS);
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

    /** Sends one unit without waiting; called on the benchmark thread. */
    protected abstract void send();

    /** Closes the client connection and its resources. */
    protected abstract void closeClient();

    /** Called by the client's event loop for each completion. */
    protected final void completed() {
        completions.release();
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

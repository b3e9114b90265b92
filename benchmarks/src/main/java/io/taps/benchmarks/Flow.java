package io.taps.benchmarks;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One client connection that keeps {@code window} operations outstanding; the JMH state behind the
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
    private final Workload workload;
    private final int window;
    private NettyFixture.Server server;
    private volatile Throwable failure;
    private volatile boolean closing;

    /** A flow of {@code workload}; {@code null} when a JMH parameter chooses it (override {@link #workload()}). */
    protected Flow(Workload workload, int window) {
        this.workload = workload;
        this.window = window;
    }

    /** The kinds of traffic, each with the raw Netty server it runs against. */
    public enum Workload {
        /** 64 KiB chunks to a discarding TCP server; a completion is a finished write. */
        BULK(64 * 1024),
        /** 64 B requests echoed by a TCP server speaking the 4-byte length-prefix format. */
        TCP(NettyFixture.PAYLOAD),
        /** The same over TLS 1.3. */
        TLS(NettyFixture.PAYLOAD),
        /** 64 B datagrams echoed by a UDP server. */
        UDP(NettyFixture.PAYLOAD);

        private final int unitBytes;

        Workload(int unitBytes) {
            this.unitBytes = unitBytes;
        }

        /** Application bytes per operation (the payload, without any framing). */
        public int unitBytes() {
            return unitBytes;
        }

        NettyFixture.Server startServer() {
            switch (this) {
                case BULK:
                    return NettyFixture.discardServer(null);
                case TCP:
                    return NettyFixture.framedEchoServer(null);
                case TLS:
                    return NettyFixture.framedEchoServer(Tls.serverContext());
                default:
                    return NettyFixture.udpEchoServer();
            }
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        Workload chosen = workload();
        server = chosen.startServer();
        try {
            open(chosen, server);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        for (int i = 1; i < window; i++) {
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
            completions.tryAcquire(window - 1, TapsFixture.TIMEOUT_SECONDS, TimeUnit.SECONDS);
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

    /** The workload of this flow. */
    protected Workload workload() {
        return workload;
    }
}

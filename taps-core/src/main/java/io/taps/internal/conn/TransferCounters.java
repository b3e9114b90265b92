package io.taps.internal.conn;

import io.taps.monitor.TransferReport;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;

/**
 * The counters behind the transfer report (RFC 9622 §7.4, RFC 9623 §4): plain fields written on the
 * connection's event loop only, so counting costs nothing per Message ({@link TransferReport}
 * documents that a report taken on another thread may lag).
 *
 * <p>A superclass of {@link TapsConnection} (through {@link LinkEventRouting}), itself extending
 * the Connection's {@link EventDispatcher}, rather than an object of its own: its fields then live
 * in the Connection, without an object header and a reference to it (16 B of every Connection,
 * issue 21 figure 12). Its methods are named for counting ({@code count...}, {@code mark...}) so
 * they never read as the Connection's own actions; sealed, so nothing else is counted this way.
 */
abstract sealed class TransferCounters extends EventDispatcher permits LinkEventRouting {
    private long bytesSent;
    private long bytesReceived;
    private long messagesSent;
    private long messagesReceived;
    private volatile long readyNanos;
    /** When Ready came, in nanoseconds since the epoch (0 before): a long, not an Instant kept per Connection. */
    private volatile long readyAtEpochNanos;
    private volatile long closedNanos;
    private volatile Duration lastRtt;

    TransferCounters(Executor eventExecutor) {
        super(eventExecutor);
    }

    void markReady() {
        Instant now = Instant.now();
        readyAtEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        readyNanos = System.nanoTime();
    }

    /** Fixes the end of the report's duration; called before closed() can complete. */
    void markClosed() {
        closedNanos = System.nanoTime();
    }

    void countSent(int length) {
        messagesSent++;
        bytesSent += length;
    }

    void countBytesReceived(int length) {
        bytesReceived += length;
    }

    void countMessageReceived() {
        messagesReceived++;
    }

    /** Bytes moved in either direction so far; a change means the Connection was not idle. */
    long transferred() {
        return bytesSent + bytesReceived;
    }

    /** The report; {@code live} while the transport still exists, so its RTT may be asked for. */
    TransferReport countedReport(Link link, boolean live) {
        long ready = readyNanos;
        long closed = closedNanos;
        Duration duration = ready == 0 ? Duration.ZERO
                : Duration.ofNanos(Math.max(0, (closed != 0 ? closed : System.nanoTime()) - ready));
        Duration rtt = live ? currentRtt(link) : lastRtt;
        long readyAt = readyAtEpochNanos;
        return new TransferReport(bytesSent, bytesReceived, messagesSent, messagesReceived, rtt, duration,
                readyAt == 0 ? null : Instant.ofEpochSecond(0, readyAt));
    }

    /**
     * Keeps an RTT for the report after Closed, read from the transport before it goes away only
     * when none was measured yet (establishment and lifetime sampling give one on TCP: reading
     * TCP_INFO again at close costs a syscall per Connection, issue 21 item 1).
     */
    void sampleRtt(Link link) {
        if (link != null && lastRtt == null) {
            currentRtt(link);
        }
    }

    /** An RTT the transport reported, measured elsewhere (establishment, lifetime sampling). */
    void keepRtt(Duration rtt) {
        lastRtt = rtt;
    }

    private Duration currentRtt(Link link) {
        Duration rtt = link == null ? null : link.smoothedRtt().orElse(null);
        if (rtt != null) {
            lastRtt = rtt;
        } else {
            rtt = lastRtt;
        }
        return rtt;
    }
}

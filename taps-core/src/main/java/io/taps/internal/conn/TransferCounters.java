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
 * <p>A layer of the Connection object (see {@link TapsConnection}), above its
 * {@link EventDispatcher}, rather than an object of its own: its fields then live
 * in the Connection, without an object header and a reference to it (16 B of every Connection,
 * issue 21 figure 12). Its methods are named for counting ({@code count...}, {@code mark...}) so
 * they never read as the Connection's own actions; sealed, so nothing else is counted this way.
 */
abstract sealed class TransferCounters extends EventDispatcher permits Outcomes {
    private long bytesSent;
    private long bytesReceived;
    private long messagesSent;
    private long messagesReceived;
    /**
     * When Ready came (System.nanoTime, 0 before). The report's wall-clock readyAt is derived from
     * it ({@link #wallClockAt}) rather than kept in a second long: 8 B of every Connection (issue 21
     * figure 12). A wall clock stepped since Ready moves readyAt by as much; durations never depend on it.
     */
    private volatile long readyNanos;
    private volatile long closedNanos;
    private volatile Duration lastRtt;
    /*
     * The idle timeout's sampling of these counters ({@link IdleTimer}): this Connection's place in
     * its event loop's {@link IdleSweep} (neighbours in the sweep's list, the sweep, null when in
     * none) and the last sample. Fields here, not a timer object of its own: 40 B of every accepted
     * Connection (issue 21 figure 12). Event loop only.
     */
    TapsConnection idlePrevious;
    TapsConnection idleNext;
    IdleSweep idleSweep;
    /**
     * The last sample: the bytes moved then, shifted left by three bits, and in those three bits the
     * samples in a row that found no traffic (never more than {@link IdleSweep#SAMPLES}); one long,
     * not a long and an int (4 B of every Connection). {@link IdleTimer#RESTARTED} right after (re)starting.
     */
    long idleSample;

    TransferCounters(Executor eventExecutor) {
        super(eventExecutor);
    }

    void markReady() {
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
        return new TransferReport(bytesSent, bytesReceived, messagesSent, messagesReceived, rtt, duration,
                ready == 0 ? null : wallClockAt(ready));
    }

    /**
     * The wall-clock moment of the System.nanoTime reading {@code nanos}: the wall clock now, less
     * the time since by the monotonic clock. One offset taken when the JVM started drifted from the
     * wall clock by milliseconds over a long run (NTP slews the one, not the other), which put
     * readyAt outside [initiated, ready] in TransferReportTest once in a full suite.
     */
    private static Instant wallClockAt(long nanos) {
        Instant now = Instant.now();
        return now.minusNanos(System.nanoTime() - nanos);
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

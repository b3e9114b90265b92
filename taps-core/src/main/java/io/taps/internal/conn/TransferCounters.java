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
    /** The low bit of readyWall: Closed, so readyMark holds the lifetime. */
    private static final long CLOSED = 1;

    private long bytesSent;
    private long bytesReceived;
    private long messagesSent;
    private long messagesReceived;
    /*
     * When Ready came and for how long, in two longs rather than three (8 B of every Connection,
     * issue 21 figure 12), both guarded by the Connection's monitor:
     * - readyWall: the wall clock at Ready in epoch nanoseconds, shifted left one bit, the low bit set
     *   once Closed; 0 before either. Read once at Ready, so every report gives the same readyAt
     *   (deriving it at report time from the monotonic clock moved it by a few hundred nanoseconds
     *   between two reports of one Connection).
     * - readyMark: System.nanoTime at Ready until Closed, then the Connection's lifetime in
     *   nanoseconds. Durations only ever come from the monotonic clock.
     */
    private long readyWall;
    private long readyMark;
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
        Instant now = Instant.now();
        long wall = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        long mark = System.nanoTime();
        synchronized (this) {
            boolean closed = (readyWall & CLOSED) != 0;
            readyWall = wall << 1 | (closed ? CLOSED : 0);
            readyMark = closed ? 0 : mark;
        }
    }

    /** Fixes the end of the report's duration at the first call; called before closed() can complete. */
    void markClosed() {
        long now = System.nanoTime();
        synchronized (this) {
            if ((readyWall & CLOSED) != 0) {
                return;
            }
            if (readyWall != 0) {
                readyMark = Math.max(0, now - readyMark);
            }
            readyWall |= CLOSED;
        }
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
        long wall;
        long mark;
        synchronized (this) {
            wall = readyWall;
            mark = readyMark;
        }
        Instant readyAt = null;
        Duration duration = Duration.ZERO;
        if (wall >>> 1 != 0) {
            long epochNanos = wall >>> 1;
            readyAt = Instant.ofEpochSecond(epochNanos / 1_000_000_000L, epochNanos % 1_000_000_000L);
            duration = Duration.ofNanos((wall & CLOSED) != 0 ? mark : Math.max(0, System.nanoTime() - mark));
        }
        Duration rtt = live ? currentRtt(link) : lastRtt;
        return new TransferReport(bytesSent, bytesReceived, messagesSent, messagesReceived, rtt, duration, readyAt);
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

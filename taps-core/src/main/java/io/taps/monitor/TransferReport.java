package io.taps.monitor;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.Message;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The data transfer report of one Connection: how much application data it carried, for how long,
 * and the smoothed round-trip time where the stack knows it. RFC 9622 defines no such report; this
 * is the project's "data transfer report", carrying the per-connection figures that RFC 9623 §9
 * (cached state and performance caches, e.g. RTT) and RFC 9621 §3.5 (monitoring and statistics,
 * checklist C-19) refer to. Immutable.
 *
 * <p>Bytes and Messages are application payload: Message bytes as the application sent them and as
 * they arrived after the framers (framer headers and TLS records are not counted).
 * <ul>
 * <li>{@link #messagesSent()} counts Sent events, so each part of a partial send counts once.
 * <li>{@link #messagesReceived()} counts complete Messages as they arrive from the stack, whether
 * or not the application has received them yet: each datagram, each Message a framer delivered,
 * and on a byte stream without a framer the one Message the whole stream forms (RFC 9622 §9.3),
 * counted when the peer ends the stream. Partial deliveries are not counted separately.
 * </ul>
 *
 * <p>The counters are updated on the Connection's event loop without synchronisation (no cost per
 * Message); a report taken on another thread may therefore lag behind events still being
 * processed, and is exact once the corresponding events have been delivered.
 */
public final class TransferReport {
    private final long bytesSent;
    private final long bytesReceived;
    private final long messagesSent;
    private final long messagesReceived;
    private final Duration smoothedRtt;
    private final Duration duration;
    private final Instant readyAt;

    /**
     * @param bytesSent application bytes of every Sent Message
     * @param bytesReceived application bytes that arrived (after the framers)
     * @param messagesSent Sent events
     * @param messagesReceived complete Messages that arrived
     * @param smoothedRtt the stack's smoothed round-trip time, or {@code null} when unknown
     * @param duration from Ready to Closed, or to now while open; zero when never Ready
     * @param readyAt when the Connection became Ready, or {@code null}
     */
    public TransferReport(long bytesSent, long bytesReceived, long messagesSent, long messagesReceived,
            Duration smoothedRtt, Duration duration, Instant readyAt) {
        this.bytesSent = bytesSent;
        this.bytesReceived = bytesReceived;
        this.messagesSent = messagesSent;
        this.messagesReceived = messagesReceived;
        this.smoothedRtt = smoothedRtt;
        this.duration = Objects.requireNonNull(duration, "duration");
        this.readyAt = readyAt;
    }

    /** Application bytes of the Messages (and parts) for which Sent was raised. */
    public long bytesSent() {
        return bytesSent;
    }

    /** Application bytes that arrived from the stack, after the framers. */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** Sent events (each part of a partial send counts once). */
    public long messagesSent() {
        return messagesSent;
    }

    /** Complete Messages that arrived (see the class description for byte streams). */
    public long messagesReceived() {
        return messagesReceived;
    }

    /**
     * The smoothed round-trip time of the transport, where the stack knows it: TCP and TLS/TCP on
     * the native epoll transport ({@code tcpi_rtt}); after Closed, the last value read. Empty on
     * NIO, on UDP and before Ready.
     */
    public Optional<Duration> smoothedRtt() {
        return Optional.ofNullable(smoothedRtt);
    }

    /** Time from Ready to Closed, or to now while the Connection is open; zero when it was never Ready. */
    public Duration duration() {
        return duration;
    }

    /** When the Connection became Ready (or a Listener delivered it); empty before. */
    public Optional<Instant> readyAt() {
        return Optional.ofNullable(readyAt);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TransferReport)) {
            return false;
        }
        TransferReport other = (TransferReport) o;
        return bytesSent == other.bytesSent && bytesReceived == other.bytesReceived
                && messagesSent == other.messagesSent && messagesReceived == other.messagesReceived
                && Objects.equals(smoothedRtt, other.smoothedRtt) && duration.equals(other.duration)
                && Objects.equals(readyAt, other.readyAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bytesSent, bytesReceived, messagesSent, messagesReceived, smoothedRtt, duration, readyAt);
    }

    @Override
    public String toString() {
        return "TransferReport[sent " + messagesSent + " messages / " + bytesSent + " bytes, received "
                + messagesReceived + " messages / " + bytesReceived + " bytes, rtt "
                + (smoothedRtt == null ? "unknown" : smoothedRtt.toNanos() / 1000 + " us") + ", "
                + duration.toMillis() + " ms]";
    }
}

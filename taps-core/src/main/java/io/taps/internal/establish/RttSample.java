package io.taps.internal.establish;

import io.taps.internal.conn.Link;
import io.taps.spi.StackCapabilities;
import java.time.Duration;
import java.util.Optional;

/**
 * One round-trip time sample of a just-established connection for the performance cache (RFC 9623
 * §9.2, M-67): the transport's own smoothed RTT where the link knows it (TCP_INFO on epoll, one
 * getsockopt per connection), else for a cleartext byte stream the attempt's duration, which is its
 * handshake, about one RTT. Secure and datagram stacks without their own estimate give no sample:
 * their attempt time is not one round trip.
 */
final class RttSample {
    private RttSample() {
    }

    /** The transport's own smoothed RTT of {@code link} (one read), or {@code null} where it has none. */
    static Duration measured(Link link) {
        try {
            Optional<Duration> measured = link.smoothedRtt();
            if (measured.isPresent() && !measured.get().isZero() && !measured.get().isNegative()) {
                return measured.get();
            }
        } catch (RuntimeException unavailable) {
            // The estimate could not be read (closed meanwhile).
        }
        return null;
    }

    /**
     * The sample, or {@code null} when none can be had cheaply: {@code measured} (from
     * {@link #measured}) where the link knows it, else the attempt's duration where that is one RTT.
     */
    static Duration of(Duration measured, StackCapabilities stack, Duration attemptDuration) {
        if (measured != null) {
            return measured;
        }
        if (!stack.secure() && stack.byteStream()) {
            return attemptDuration;
        }
        return null;
    }
}

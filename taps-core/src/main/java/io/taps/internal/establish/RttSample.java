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

    /** The sample, or {@code null} when none can be had cheaply. */
    static Duration of(Link link, StackCapabilities stack, Duration attemptDuration) {
        try {
            Optional<Duration> measured = link.smoothedRtt();
            if (measured.isPresent() && !measured.get().isZero() && !measured.get().isNegative()) {
                return measured.get();
            }
        } catch (RuntimeException unavailable) {
            // The estimate could not be read (closed meanwhile): fall back below.
        }
        if (!stack.secure() && stack.byteStream()) {
            return attemptDuration;
        }
        return null;
    }
}

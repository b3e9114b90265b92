package io.taps.internal.establish;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.taps.internal.stack.StackKind;
import java.time.Duration;

/**
 * One round-trip time sample of a just-established connection for the performance cache (RFC 9623
 * §9.2, M-67): the kernel's smoothed RTT from TCP_INFO on epoll (one getsockopt per connection),
 * else for plain TCP the attempt's duration, which is the TCP handshake, about one RTT. Secure and
 * datagram stacks without TCP_INFO give no sample: their attempt time is not one round trip.
 */
final class RttSample {
    private RttSample() {
    }

    /** The sample, or {@code null} when none can be had cheaply. */
    static Duration of(Channel channel, StackKind stack, Duration attemptDuration) {
        if (channel instanceof EpollSocketChannel epoll && epoll.isActive()) {
            try {
                long micros = epoll.tcpInfo().rtt() & 0xffffffffL;
                if (micros > 0) {
                    return Duration.ofNanos(micros * 1000);
                }
            } catch (RuntimeException unavailable) {
                // TCP_INFO could not be read (closed meanwhile): fall back below.
            }
        }
        if (!stack.secure() && !stack.datagram()) {
            return attemptDuration;
        }
        return null;
    }
}

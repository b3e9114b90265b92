package io.taps.internal.dtls;

import io.netty.channel.Channel;
import io.taps.internal.stack.ChannelLink;
import io.taps.internal.stack.DatagramOptions;
import java.net.InetSocketAddress;

/**
 * The largest Message of one DTLS association (RFC 9622 §8.1.11.4-6): one record's plaintext
 * (2^14) that, with the cipher suite's record overhead, fits one UDP datagram within the path MTU,
 * so a Message is never split into records or IP fragments. A send asks for it every time, and the
 * path MTU is a system call away, so it is read again at most once a second.
 */
final class MessageLimit {
    private static final long REFRESH_NANOS = 1_000_000_000L;
    private final Channel channel;
    private final InetSocketAddress remote;
    private final int overhead;
    private volatile int largest = -1;
    private volatile long readAt;

    MessageLimit(Channel channel, InetSocketAddress remote, int overhead) {
        this.channel = channel;
        this.remote = remote;
        this.overhead = overhead;
    }

    int get() {
        long now = System.nanoTime();
        int current = largest;
        if (current < 0 || now - readAt > REFRESH_NANOS) {
            int payload = DatagramOptions.singularPayload(channel, remote, ChannelLink.maxUdpPayload(remote));
            current = Math.max(0, Math.min(DtlsAssociation.MAX_RECORD_PLAINTEXT, payload - overhead));
            largest = current;
            readAt = now;
        }
        return current;
    }
}

package io.taps.internal.stack;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.taps.internal.conn.Link;
import java.net.InetSocketAddress;

/**
 * What a {@link Link} on one Netty channel answers from that channel alone, whether the channel is
 * the Connection's own (TCP, TLS, a connected UDP socket, a QUIC stream) or shared (a UDP Listener's
 * socket): its event loop, allocator, writability, flush and local address.
 */
public abstract class SingleChannelLink implements Link {
    protected final Channel channel;

    protected SingleChannelLink(Channel channel) {
        this.channel = channel;
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public boolean appliesTo(String namespace) {
        return Link.super.appliesTo(namespace) || protocolNamespace(namespace);
    }

    /** Whether {@code namespace} names this link's protocol's own properties (RFC 9622 §4.1); none here. */
    protected boolean protocolNamespace(String namespace) {
        return false;
    }
}

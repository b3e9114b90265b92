package io.taps.internal.stack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.taps.MessageContext;
import io.taps.internal.conn.Link;
import io.taps.properties.Property;
import io.taps.spi.ProtocolStack;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * The link of a Connection on a channel that a plugged-in {@link ProtocolStack} attached: a
 * {@link ChannelLink} (byte stream or datagrams, as the stack's capabilities say) whose Connection
 * Properties go to the stack's own {@link ProtocolStack#applyOption} (RFC 9622 §8.1).
 */
final class StackChannelLink implements Link {
    private final ChannelLink channel;
    private final ProtocolStack stack;

    StackChannelLink(Channel channel, ProtocolStack stack) {
        // ChannelLink's kind only says stream or datagram here; the options are the stack's own.
        this.channel = new ChannelLink(channel, stack.capabilities().byteStream() ? StackKind.TCP : StackKind.UDP);
        this.stack = stack;
    }

    @Override
    public boolean applyOption(Property<?> property, Object value) {
        try {
            return stack.applyOption(channel.channel(), property, value);
        } catch (RuntimeException | LinkageError unsupported) {
            return false;
        }
    }

    @Override
    public boolean appliesTo(String namespace) {
        return Link.super.appliesTo(namespace) || stack.capabilities().propertyNamespaces().contains(namespace);
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
    public boolean byteStream() {
        return channel.byteStream();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public ChannelFuture write(ByteBuf data) {
        return channel.write(data);
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public ChannelFuture writeMessage(ByteBuf data, MessageContext context, boolean endOfMessage) {
        return channel.writeMessage(data, context, endOfMessage);
    }

    @Override
    public boolean framed() {
        return channel.framed();
    }

    @Override
    public void shutdownOutput(Runnable whenDone) {
        channel.shutdownOutput(whenDone);
    }

    @Override
    public void close(Runnable whenClosed) {
        channel.close(whenClosed);
    }

    @Override
    public void reset() {
        channel.reset();
    }

    @Override
    public void setReading(boolean read) {
        channel.setReading(read);
    }

    @Override
    public InetSocketAddress localAddress() {
        return channel.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public int maxMessageSize() {
        return channel.maxMessageSize();
    }

    @Override
    public Optional<String> applicationProtocol() {
        return channel.applicationProtocol();
    }

    @Override
    public Optional<Duration> smoothedRtt() {
        return channel.smoothedRtt();
    }
}

package io.taps.internal.stack;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DatagramPacket;
import io.taps.internal.conn.SharedReceiveBudget;
import io.taps.internal.conn.TapsConnection;
import io.taps.properties.Property;
import java.net.InetSocketAddress;

/**
 * One remote endpoint's share of a UDP Listener's socket: the "virtual connection" of RFC 9623
 * §4.7.2 (M-31). Writes go to that remote as datagrams; closing it only forgets the remote.
 */
final class DatagramPeerLink extends SingleChannelLink {
    /** The listener that shares its socket among remotes and forgets one when its Connection closes. */
    interface Owner {
        /** Called on the socket's event loop when a peer's Connection closes. */
        void forget(InetSocketAddress remote, TapsConnection connection);

        /** The receive memory all remotes' Connections share. */
        SharedReceiveBudget receiveBudget();
    }

    private final InetSocketAddress remote;
    private final Owner owner;
    private TapsConnection connection;
    private boolean closed;

    DatagramPeerLink(Channel channel, InetSocketAddress remote, Owner owner) {
        super(channel);
        this.remote = remote;
        this.owner = owner;
    }

    void attach(TapsConnection attached) {
        this.connection = attached;
    }

    @Override
    public boolean byteStream() {
        return false;
    }

    @Override
    public ChannelFuture write(ByteBuf data) {
        return channel.write(new DatagramPacket(data, remote));
    }

    @Override
    public Channel writeChannel() {
        return channel;
    }

    @Override
    public void writeMessage(ByteBuf data, io.taps.MessageContext context, boolean endOfMessage,
            io.netty.channel.ChannelPromise promise) {
        channel.write(new DatagramPacket(data, remote), promise);
    }

    @Override
    public void shutdownOutput(Runnable whenDone) {
        whenDone.run();
    }

    @Override
    public void close(Runnable whenClosed) {
        if (!closed) {
            closed = true;
            owner.forget(remote, connection);
            // Reported from a later task, as a channel's close would be, so the connection's own
            // close logic is never re-entered.
            channel.eventLoop().execute(() -> {
                whenClosed.run();
                connection.onLinkClosed();
            });
        }
    }

    @Override
    public void reset() {
        close(() -> { });
    }

    @Override
    public SharedReceiveBudget sharedReceiveBudget() {
        return owner.receiveBudget();
    }

    @Override
    public void setReading(boolean read) {
        // The socket is shared by every remote; a slow reader's datagrams are bounded in the connection instead.
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public int maxMessageSize() {
        return ChannelLink.maxUdpPayload(remote);
    }

    @Override
    public boolean applyOption(Property<?> property, Object value) {
        return ChannelLink.SocketOptions.apply(channel, StackKind.UDP, property, value);
    }
}

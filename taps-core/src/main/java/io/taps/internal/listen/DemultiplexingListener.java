package io.taps.internal.listen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.taps.ConnectionEventHandler;
import io.taps.ErrorReason;
import io.taps.ListenerEventHandler;
import io.taps.TransportServicesException;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.stack.StackConnector;
import io.taps.internal.stack.StackKind;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * A Listener that demultiplexes one bound UDP socket into per-remote Connections (RFC 9623 §4.7.2,
 * M-31): datagrams are matched to Connections by their remote address and port, and a datagram
 * from an unknown remote creates a new Connection that receives it first.
 *
 * <p>While the new-connection countdown is at 0, datagrams from unknown remotes are dropped (UDP
 * gives no way to hold them back). After Stop, the socket stays open for the Connections already
 * delivered and closes with the last of them. Subclasses bind the socket (see
 * {@link #socketBootstrap()}) and hand it over with {@link #useSocket(Channel)}.
 */
abstract class DemultiplexingListener extends ListenerCore implements DatagramPeerLink.Owner {
    protected final EventLoopGroup group;
    protected final IoTransport transport;
    private final Executor eventExecutor;
    private final Map<InetSocketAddress, TapsConnection> peers = new HashMap<>();
    private volatile Channel channel;

    DemultiplexingListener(StackKind stack, TransportProperties properties, ListenerEventHandler handler,
            Executor eventExecutor, EventLoopGroup group, IoTransport transport) {
        super(stack, properties, handler, eventExecutor);
        this.group = group;
        this.transport = transport;
        this.eventExecutor = eventExecutor;
    }

    /** A bootstrap for the shared socket, still without its channel type or factory. */
    protected final Bootstrap socketBootstrap() {
        return new Bootstrap().group(group)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, StackConnector.DATAGRAM_RECEIVE_BUFFERS)
                .handler(new Demultiplexer());
    }

    /** Reports a ListenError for a socket that could not be bound to {@code address}. */
    protected final void listenFailed(InetSocketAddress address, Throwable cause) {
        bindFailed(new TransportServicesException(ErrorReason.LISTEN_FAILED,
                "cannot listen on UDP " + address + ": " + cause.getMessage(), cause));
    }

    /** The bound socket from now on: Stop and the last Connection's close act on it. */
    protected final void useSocket(Channel socket) {
        channel = socket;
    }

    /** Whether a datagram from an unknown remote may create a Connection now (before the countdown is asked). */
    protected boolean acceptsNewRemotes() {
        return true;
    }

    /** Whether the Connections send on the socket, so its writability matters to them. */
    protected boolean peersSend() {
        return true;
    }

    /**
     * Runs on the socket's event loop when Stop arrives, before Stopped is reported; calls
     * {@code then} when done. The socket itself stays open for the Connections already delivered.
     */
    protected void beforeStopped(Channel socket, Runnable then) {
        then.run();
    }

    @Override
    public void forget(InetSocketAddress remote, TapsConnection connection) {
        peers.remove(remote, connection);
        closeIfIdle();
    }

    private void closeIfIdle() {
        if (isStopping() && peers.isEmpty() && channel != null && channel.isOpen()) {
            channel.close();
        }
    }

    @Override
    protected void setAccepting(boolean accept) {
        // Nothing to pause on a shared socket: mayAccept() decides per datagram.
    }

    @Override
    protected void closeSockets(Runnable whenClosed) {
        Channel socket = channel;
        if (socket == null) {
            whenClosed.run();
            return;
        }
        socket.eventLoop().execute(() -> beforeStopped(socket, () -> {
            whenClosed.run();
            closeIfIdle();
        }));
    }

    private final class Demultiplexer extends SimpleChannelInboundHandler<DatagramPacket> {
        Demultiplexer() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress sender = packet.sender();
            TapsConnection connection = peers.get(sender);
            if (connection == null) {
                if (!acceptsNewRemotes() || !mayAccept()) {
                    packet.release();
                    return;
                }
                connection = new TapsConnection(ctx.channel().eventLoop(), eventExecutor, properties, Role.LISTEN,
                        new ConnectionEventHandler() { });
                DatagramPeerLink link = new DatagramPeerLink(ctx.channel(), sender, DemultiplexingListener.this);
                link.attach(connection);
                connection.establishPassive(link, stack.capabilities());
                peers.put(sender, connection);
                offer(connection);
            }
            connection.onDatagram(packet.content(), sender);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            if (peersSend() && ctx.channel().isWritable()) {
                for (TapsConnection connection : List.copyOf(peers.values())) {
                    connection.writabilityChanged();
                }
            }
            super.channelWritabilityChanged(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            for (TapsConnection connection : List.copyOf(peers.values())) {
                connection.onLinkClosed();
            }
            peers.clear();
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A listening UDP socket sees ICMP errors from any remote (multicast: about other hosts'
            // traffic too); none of them ends the listener.
        }
    }
}

package io.taps.internal.listen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
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
 * A Listener for UDP (RFC 9623 §4.7.2, M-31): one bound socket; datagrams are matched to
 * Connections by their remote address and port, and a datagram from an unknown remote creates a
 * new Connection that receives it first.
 *
 * <p>While the new-connection countdown is at 0, datagrams from unknown remotes are dropped (UDP
 * gives no way to hold them back). After Stop, the socket stays open for the Connections already
 * delivered and closes with the last of them.
 */
public final class DatagramListener extends ListenerCore implements DatagramPeerLink.Owner {
    private final EventLoopGroup group;
    private final IoTransport transport;
    private final Executor eventExecutor;
    private final Map<InetSocketAddress, TapsConnection> peers = new HashMap<>();
    private volatile Channel channel;

    public DatagramListener(StackKind stack, TransportProperties properties, ListenerEventHandler handler,
            Executor eventExecutor, EventLoopGroup group, IoTransport transport) {
        super(stack, properties, handler, eventExecutor);
        this.group = group;
        this.transport = transport;
        this.eventExecutor = eventExecutor;
    }

    @Override
    public void bind(List<InetSocketAddress> addresses) {
        if (addresses.size() != 1) {
            bindFailed(new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "a UDP listener binds exactly one local address, got " + addresses));
            return;
        }
        Bootstrap bootstrap = new Bootstrap().group(group).channel(transport.datagramChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, StackConnector.DATAGRAM_RECEIVE_BUFFERS)
                .handler(new Demultiplexer());
        ChannelFuture binding = bootstrap.bind(addresses.get(0));
        binding.addListener(done -> {
            if (!done.isSuccess()) {
                bindFailed(new TransportServicesException(ErrorReason.LISTEN_FAILED,
                        "cannot listen on UDP " + addresses.get(0) + ": " + done.cause().getMessage(), done.cause()));
                return;
            }
            channel = binding.channel();
            bound(List.of((InetSocketAddress) channel.localAddress()));
        });
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
        socket.eventLoop().execute(() -> {
            // Stopped is due now; the socket itself lives on for the Connections already delivered.
            whenClosed.run();
            closeIfIdle();
        });
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
                if (!mayAccept()) {
                    packet.release();
                    return;
                }
                connection = new TapsConnection(ctx.channel().eventLoop(), eventExecutor, properties, Role.LISTEN,
                        new ConnectionEventHandler() { });
                DatagramPeerLink link = new DatagramPeerLink(ctx.channel(), sender, DatagramListener.this);
                link.attach(connection);
                connection.establishPassive(link, stack.capabilities());
                peers.put(sender, connection);
                offer(connection);
            }
            connection.onDatagram(packet.content(), sender);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            if (ctx.channel().isWritable()) {
                for (TapsConnection connection : List.copyOf(peers.values())) {
                    connection.writeQueued();
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
            // A listening UDP socket sees ICMP errors from any remote; none of them ends the listener.
        }
    }
}

package io.taps.internal.listen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.taps.ConnectionEventHandler;
import io.taps.ErrorReason;
import io.taps.ListenerEventHandler;
import io.taps.TransportServicesException;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.multicast.MulticastReceive;
import io.taps.internal.stack.StackConnector;
import io.taps.internal.stack.StackKind;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.Direction;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * A multicast receive Listener (RFC 9622 §6.1.1, RFC 9623 §10.5; EP-04, EP-06, design.md Q-14):
 * binds a UDP socket to the group and port, joins the group (any-source, or source-specific with
 * the source given) on one interface, and turns every sender (remote address and port) into a
 * receive-only Connection delivered as ConnectionReceived. Sending on such a Connection fails.
 *
 * <p>The socket is bound to the group address itself, so unicast datagrams to the same port never
 * reach it, and SO_REUSEADDR lets several Listeners share a group and port (EP-07). For SSM the
 * kernel filters other sources (IP_ADD_SOURCE_MEMBERSHIP / MCAST_JOIN_SOURCE_GROUP). Stop leaves
 * the group at once; the socket stays open for the Connections already delivered, as in
 * {@link DatagramListener}, and closes with the last of them.
 */
public final class MulticastListener extends ListenerCore implements DatagramPeerLink.Owner {
    private final EventLoopGroup group;
    private final IoTransport transport;
    private final Executor eventExecutor;
    private final MulticastReceive request;
    private final Map<InetSocketAddress, TapsConnection> peers = new HashMap<>();
    private volatile Channel channel;
    private volatile NetworkInterface joinedOn;
    private boolean joined;

    public MulticastListener(TransportProperties properties, ListenerEventHandler handler, Executor eventExecutor,
            EventLoopGroup group, IoTransport transport, MulticastReceive request) {
        super(StackKind.UDP, properties.toBuilder().direction(Direction.UNIDIRECTIONAL_RECEIVE).build(), handler,
                eventExecutor);
        this.group = group;
        this.transport = transport;
        this.eventExecutor = eventExecutor;
        this.request = request;
    }

    /** Binds to the group and joins it; {@code addresses} is ignored, the request decides. */
    @Override
    public void bind(List<InetSocketAddress> addresses) {
        NetworkInterface networkInterface;
        try {
            networkInterface = request.resolveInterface();
        } catch (TransportServicesException e) {
            bindFailed(e);
            return;
        }
        SocketProtocolFamily family = request.ipv4() ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        Bootstrap bootstrap = new Bootstrap().group(group)
                .channelFactory(() -> transport.newDatagramChannel(family))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, StackConnector.DATAGRAM_RECEIVE_BUFFERS)
                .handler(new Demultiplexer());
        InetSocketAddress bindAddress = request.bindAddress();
        bootstrap.bind(bindAddress).addListener(bound -> {
            io.netty.channel.ChannelFuture binding = (io.netty.channel.ChannelFuture) bound;
            if (!bound.isSuccess()) {
                bindFailed(new TransportServicesException(ErrorReason.LISTEN_FAILED,
                        "cannot listen on UDP " + bindAddress + ": " + bound.cause().getMessage(), bound.cause()));
                return;
            }
            DatagramChannel socket = (DatagramChannel) binding.channel();
            socket.joinGroup(request.group(), networkInterface, request.source()).addListener(join -> {
                if (!join.isSuccess()) {
                    socket.close();
                    bindFailed(new TransportServicesException(ErrorReason.LISTEN_FAILED, "cannot join " + request
                            + " on " + networkInterface.getName() + ": " + join.cause().getMessage(), join.cause()));
                    return;
                }
                joined = true;
                joinedOn = networkInterface;
                channel = socket;
                bound(List.of((InetSocketAddress) socket.localAddress()));
                if (isStopping()) {
                    // Stopped while joining: closing the socket drops the membership too.
                    joined = false;
                    socket.close();
                }
            });
        });
    }

    /** The interface the group was joined on, once ready. */
    public NetworkInterface joinedInterface() {
        return joinedOn;
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
            if (!joined) {
                whenClosed.run();
                closeIfIdle();
                return;
            }
            joined = false;
            // Leave before Stopped is reported, so a stopped Listener is no member any more.
            ((DatagramChannel) socket).leaveGroup(request.group(), joinedOn, request.source()).addListener(left -> {
                whenClosed.run();
                closeIfIdle();
            });
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
                if (!joined || !mayAccept()) {
                    packet.release();
                    return;
                }
                connection = new TapsConnection(ctx.channel().eventLoop(), eventExecutor, properties, Role.LISTEN,
                        new ConnectionEventHandler() { });
                DatagramPeerLink link = new DatagramPeerLink(ctx.channel(), sender, MulticastListener.this);
                link.attach(connection);
                connection.establishPassive(link, stack.capabilities());
                peers.put(sender, connection);
                offer(connection);
            }
            connection.onDatagram(packet.content(), sender);
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
            // ICMP errors about other hosts' traffic never end a multicast listener.
        }
    }

    @Override
    public String toString() {
        return "Listener[UDP multicast " + request + "]";
    }
}

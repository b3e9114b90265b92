package io.taps.internal.stack;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelFuture;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.taps.ConnectionEventHandler;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.conn.SharedReceiveBudget;
import io.taps.internal.conn.TapsConnection;
import io.taps.properties.Limit;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackListener;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket of a UDP Listener (RFC 9623 §4.7.2, M-31), demultiplexed into per-remote Connections:
 * datagrams are matched to Connections by their remote address and port, and a datagram from an
 * unknown remote creates a new Connection that receives it first.
 *
 * <p>While the new-connection countdown is at 0, datagrams from unknown remotes are dropped (UDP
 * gives no way to hold them back). UDP has no handshake, so any source address, spoofed or not,
 * would make a Connection: at most {@link #DEFAULT_MAX_REMOTES} remotes have a Connection at once
 * (or {@code _taps.maxConcurrentConnections} when the Listener sets it); datagrams from further
 * remotes are dropped and counted, and the Listener is told once
 * ({@link io.taps.ListenerEventHandler#limitReached}). A Connection that closes frees its slot. The
 * datagrams queued for all remotes' Connections share {@link #RECEIVE_BUDGET} bytes of memory,
 * besides each Connection's own limits. After Stop, the socket stays open for the Connections already
 * delivered and closes with the last of them. A subclass may bind the socket differently (see
 * {@link #socketBootstrap()}, multicast) and hand it over with {@link #useSocket(Channel)}.
 */
public class DatagramSockets implements StackListener, DatagramPeerLink.Owner {
    /** Remotes that may have a Connection at once when the Listener sets no maxConcurrentConnections. */
    public static final long DEFAULT_MAX_REMOTES = 1024;
    /** Memory of datagrams queued for all remotes' Connections of one socket together, in bytes. */
    public static final long RECEIVE_BUDGET = 64L << 20;
    private static final Logger log = LoggerFactory.getLogger(DatagramSockets.class);

    protected final TapsBinding binding;
    private final ProtocolStack stack;
    private final Map<InetSocketAddress, TapsConnection> peers = new HashMap<>();
    private final SharedReceiveBudget receiveBudget = new SharedReceiveBudget(RECEIVE_BUDGET);
    private final long maxRemotes;
    /** Datagrams dropped because they came from a new remote while {@link #maxRemotes} had a Connection. */
    private long droppedOverCap;
    private volatile Channel channel;

    protected DatagramSockets(ProtocolStack stack, TapsBinding binding) {
        this.stack = stack;
        this.binding = binding;
        Limit cap = binding.properties().get(Property.MAX_CONCURRENT_CONNECTIONS);
        this.maxRemotes = cap.isUnlimited() ? DEFAULT_MAX_REMOTES : cap.value();
    }

    /** Binds the one local address the Listener has; a unicast UDP Listener binds exactly one. */
    public void bind(List<InetSocketAddress> addresses) {
        if (addresses.size() != 1) {
            binding.fail(new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "a UDP listener binds exactly one local address, got " + addresses));
            return;
        }
        ChannelFuture bound = socketBootstrap().channel(binding.datagramChannelType()).bind(addresses.get(0));
        bound.addListener(done -> {
            if (!done.isSuccess()) {
                listenFailed(addresses.get(0), done.cause());
                return;
            }
            useSocket(bound.channel());
            binding.bound(List.of((InetSocketAddress) bound.channel().localAddress()));
        });
    }

    /** A bootstrap for the shared socket, still without its channel type or factory. */
    protected final Bootstrap socketBootstrap() {
        return new Bootstrap().group(binding.group())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, StackConnector.DATAGRAM_RECEIVE_BUFFERS)
                .handler(new Demultiplexer());
    }

    /** Reports a ListenError for a socket that could not be bound to {@code address}. */
    protected final void listenFailed(InetSocketAddress address, Throwable cause) {
        binding.fail(new TransportServicesException(ErrorReason.LISTEN_FAILED,
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
    public SharedReceiveBudget receiveBudget() {
        return receiveBudget;
    }

    @Override
    public void forget(InetSocketAddress remote, TapsConnection connection) {
        peers.remove(remote, connection);
        closeIfIdle();
    }

    private void closeIfIdle() {
        if (binding.isStopping() && peers.isEmpty() && channel != null && channel.isOpen()) {
            if (droppedOverCap > 0) {
                log.info("UDP listener on {} dropped {} datagrams from new remotes while {} remotes had a Connection",
                        channel.localAddress(), droppedOverCap, maxRemotes);
            }
            channel.close();
        }
    }

    /** A datagram from a new remote while the cap is reached: dropped, counted, the Listener told once. */
    private void dropOverCap(DatagramPacket packet) {
        packet.release();
        if (droppedOverCap++ == 0) {
            String what = "UDP listener on " + channel.localAddress() + " has Connections for " + maxRemotes
                    + " remotes, its limit; datagrams from further remotes are dropped until one closes"
                    + " (raise _taps.maxConcurrentConnections to allow more)";
            log.warn(what);
            binding.limitReached(new TransportServicesException(ErrorReason.POLICY_PROHIBITED, what));
        }
    }

    @Override
    public void setAccepting(boolean accept) {
        // Nothing to pause on a shared socket: mayAccept() decides per datagram.
    }

    @Override
    public void close(Runnable whenClosed) {
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
                if (peers.size() >= maxRemotes) {
                    dropOverCap(packet);
                    return;
                }
                if (!acceptsNewRemotes() || !binding.mayAccept()) {
                    packet.release();
                    return;
                }
                connection = new TapsConnection(ctx.channel().eventLoop(), binding.environment().eventExecutor(),
                        binding.properties(), Role.LISTEN, new ConnectionEventHandler() { });
                DatagramPeerLink link = new DatagramPeerLink(ctx.channel(), sender, DatagramSockets.this);
                link.attach(connection);
                connection.establishPassive(link, stack.capabilities());
                peers.put(sender, connection);
                binding.offer(connection);
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

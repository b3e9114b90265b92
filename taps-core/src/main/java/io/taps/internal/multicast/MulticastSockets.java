package io.taps.internal.multicast;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.stack.DatagramSockets;
import io.taps.internal.stack.TapsBinding;
import io.taps.spi.ProtocolStack;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * The socket of a multicast receive Listener (RFC 9622 §6.1.1, RFC 9623 §10.5; EP-04, EP-06, design.md Q-14):
 * binds a UDP socket to the group and port, joins the group (any-source, or source-specific with
 * the source given) on one interface, and turns every sender (remote address and port) into a
 * receive-only Connection delivered as ConnectionReceived. Sending on such a Connection fails.
 *
 * <p>The socket is bound to the group address itself, so unicast datagrams to the same port never
 * reach it, and SO_REUSEADDR lets several Listeners share a group and port (EP-07). For SSM the
 * kernel filters other sources (IP_ADD_SOURCE_MEMBERSHIP / MCAST_JOIN_SOURCE_GROUP). Stop leaves
 * the group at once; the socket stays open for the Connections already delivered, as in
 * a unicast UDP Listener, and closes with the last of them.
 */
final class MulticastSockets extends DatagramSockets {
    private final MulticastReceive request;
    private volatile NetworkInterface joinedOn;
    private boolean joined;

    MulticastSockets(ProtocolStack stack, TapsBinding binding, MulticastReceive request) {
        super(stack, binding);
        this.request = request;
    }

    /** Binds to the group and joins it; {@code addresses} is ignored, the request decides. */
    @Override
    public void bind(List<InetSocketAddress> addresses) {
        // Finding the interface makes system calls: never on an event loop.
        io.taps.internal.blocking.BlockingWork.supply(request::resolveInterface, binding.environment().blocking())
                .whenComplete((networkInterface, failure) -> {
                    if (failure != null) {
                        binding.fail(failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure);
                    } else {
                        bind(networkInterface);
                    }
                });
    }

    private void bind(NetworkInterface networkInterface) {
        SocketProtocolFamily family = request.ipv4() ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        InetSocketAddress bindAddress = request.bindAddress();
        ChannelFuture joining = socketBootstrap()
                .channelFactory(() -> binding.environment().transport().newDatagramChannel(family))
                .bind(bindAddress);
        joining.addListener(bound -> {
            if (!bound.isSuccess()) {
                listenFailed(bindAddress, bound.cause());
                return;
            }
            DatagramChannel socket = (DatagramChannel) joining.channel();
            socket.joinGroup(request.group(), networkInterface, request.source()).addListener(join -> {
                if (!join.isSuccess()) {
                    socket.close();
                    binding.fail(new TransportServicesException(ErrorReason.LISTEN_FAILED, "cannot join " + request
                            + " on " + networkInterface.getName() + ": " + join.cause().getMessage(), join.cause()));
                    return;
                }
                joined = true;
                joinedOn = networkInterface;
                useSocket(socket);
                binding.bound(List.of((InetSocketAddress) socket.localAddress()));
                if (binding.isStopping()) {
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

    /** Senders become Connections only while this Listener is a member of the group. */
    @Override
    protected boolean acceptsNewRemotes() {
        return joined;
    }

    /** Receive-only Connections never send, so the socket's writability is nothing to them. */
    @Override
    protected boolean peersSend() {
        return false;
    }

    @Override
    protected void beforeStopped(Channel socket, Runnable then) {
        if (!joined) {
            then.run();
            return;
        }
        joined = false;
        // Leave before Stopped is reported, so a stopped Listener is no member any more.
        ((DatagramChannel) socket).leaveGroup(request.group(), joinedOn, request.source())
                .addListener(left -> then.run());
    }
}

package io.taps.internal.listen;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.taps.ErrorReason;
import io.taps.ListenerEventHandler;
import io.taps.TransportServicesException;
import io.taps.internal.stack.StackKind;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.TransportProperties;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A Listener for UDP (RFC 9623 §4.7.2, M-31): one bound socket; datagrams are matched to
 * Connections by their remote address and port, and a datagram from an unknown remote creates a
 * new Connection that receives it first (see {@link DemultiplexingListener}).
 *
 * <p>While the new-connection countdown is at 0, datagrams from unknown remotes are dropped (UDP
 * gives no way to hold them back). After Stop, the socket stays open for the Connections already
 * delivered and closes with the last of them.
 */
public final class DatagramListener extends DemultiplexingListener {

    public DatagramListener(StackKind stack, TransportProperties properties, ListenerEventHandler handler,
            Executor eventExecutor, EventLoopGroup group, IoTransport transport) {
        super(stack, properties, handler, eventExecutor, group, transport);
    }

    @Override
    public void bind(List<InetSocketAddress> addresses) {
        if (addresses.size() != 1) {
            bindFailed(new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "a UDP listener binds exactly one local address, got " + addresses));
            return;
        }
        ChannelFuture binding = socketBootstrap().channel(transport.datagramChannel()).bind(addresses.get(0));
        binding.addListener(done -> {
            if (!done.isSuccess()) {
                listenFailed(addresses.get(0), done.cause());
                return;
            }
            useSocket(binding.channel());
            bound(List.of((InetSocketAddress) binding.channel().localAddress()));
        });
    }
}

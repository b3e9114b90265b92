package io.taps.internal.mptcp;

import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.stack.SocketOpener;
import io.taps.spi.StackContext;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * Opens MPTCP sockets (RFC 8684) as Netty epoll channels: Netty's public channel of the address's
 * family, whose fresh TCP descriptor is replaced by an IPPROTO_MPTCP socket before the channel is
 * registered, connected or bound ({@link MptcpNative#replace}). Netty reads and writes it like any
 * stream socket; the kernel runs the subflows. An MPTCP listening socket accepts plain TCP clients
 * too (they fall back), so a Listener loses no client by asking for MPTCP.
 */
final class MptcpSockets implements SocketOpener {
    static final MptcpSockets INSTANCE = new MptcpSockets();

    private MptcpSockets() {
    }

    @Override
    public Channel client(StackContext context, InetSocketAddress remote) {
        requireEpoll(context.socketChannelType());
        EpollSocketChannel channel = new EpollSocketChannel(family(remote));
        try {
            MptcpNative.replace(channel.fd().intValue(), family(remote));
        } catch (RuntimeException refused) {
            channel.unsafe().closeForcibly();
            throw new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                    "cannot open an MPTCP socket: " + refused.getMessage(), refused);
        }
        return channel;
    }

    @Override
    public ServerChannel server(StackContext context, InetSocketAddress local) {
        requireEpoll(context.serverSocketChannelType());
        EpollServerSocketChannel channel = new EpollServerSocketChannel(family(local));
        try {
            MptcpNative.replace(channel.fd().intValue(), family(local));
        } catch (RuntimeException refused) {
            channel.unsafe().closeForcibly();
            throw new TransportServicesException(ErrorReason.LISTEN_FAILED,
                    "cannot open an MPTCP listening socket: " + refused.getMessage(), refused);
        }
        return channel;
    }

    /** The address family of {@code address}; an unresolved or absent one is IPv6, which takes IPv4 too. */
    private static SocketProtocolFamily family(InetSocketAddress address) {
        return address == null || address.getAddress() == null || address.getAddress() instanceof Inet6Address
                ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
    }

    private static void requireEpoll(Class<?> channelType) {
        if (!EpollSocketChannel.class.isAssignableFrom(channelType)
                && !EpollServerSocketChannel.class.isAssignableFrom(channelType)) {
            throw new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                    "MPTCP needs Netty's native epoll transport; this system runs " + channelType.getSimpleName());
        }
    }
}

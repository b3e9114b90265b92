package io.taps.internal.stack;

import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.taps.spi.StackContext;
import java.net.InetSocketAddress;

/**
 * Where a stream stack's sockets come from (RFC 9623 §10.1): by default the I/O transport's own TCP
 * sockets; a plug-in that runs TCP's pipeline over another socket protocol (MPTCP, RFC 8684: a
 * socket of protocol IPPROTO_MPTCP) opens its own. Called where the channel is created (the
 * attempt's event loop, the Listener's bind); an exception fails that attempt or bind with it.
 */
public interface SocketOpener {

    /** A new, unconnected stream channel for an attempt towards {@code remote}. */
    Channel client(StackContext context, InetSocketAddress remote);

    /** A new, unbound listening channel that will be bound to {@code local}. */
    ServerChannel server(StackContext context, InetSocketAddress local);
}

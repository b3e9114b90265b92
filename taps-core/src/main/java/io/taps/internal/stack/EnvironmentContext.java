package io.taps.internal.stack;

import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.taps.spi.StackContext;

/**
 * A {@link StackContext} inside one running system, an attempt's or a Listener's share: the
 * channel classes it names are always those of the system's I/O transport (native epoll or NIO,
 * design.md Q-15), whoever serves the stack.
 */
public interface EnvironmentContext extends StackContext {

    /** What every stack of the running system shares. */
    StackEnvironment environment();

    @Override
    default Class<? extends Channel> socketChannelType() {
        return environment().transport().socketChannel();
    }

    @Override
    default Class<? extends ServerChannel> serverSocketChannelType() {
        return environment().transport().serverSocketChannel();
    }

    @Override
    default Class<? extends DatagramChannel> datagramChannelType() {
        return environment().transport().datagramChannel();
    }
}

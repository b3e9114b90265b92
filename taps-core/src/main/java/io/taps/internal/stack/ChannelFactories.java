package io.taps.internal.stack;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * One {@link ChannelFactory} per channel type, shared by every attempt: {@code Bootstrap.channel(Class)}
 * builds a {@link ReflectiveChannelFactory} per call, which looks the constructor up by reflection
 * each time (issue 21 item 1: per-connection work that can be shared). The transports taps ships
 * are constructed directly; any other type through one reflective factory made once.
 */
final class ChannelFactories {
    private static final ClassValue<ChannelFactory<? extends Channel>> FACTORIES = new ClassValue<>() {
        @Override
        protected ChannelFactory<? extends Channel> computeValue(Class<?> type) {
            return create(type.asSubclass(Channel.class));
        }
    };

    private ChannelFactories() {
    }

    /** The shared factory of {@code type}. */
    @SuppressWarnings("unchecked")
    static <T extends Channel> ChannelFactory<T> of(Class<? extends T> type) {
        return (ChannelFactory<T>) FACTORIES.get(type);
    }

    private static ChannelFactory<? extends Channel> create(Class<? extends Channel> type) {
        // Class names compared, not classes loaded: the epoll classes exist on every platform, but
        // only a type the environment chose is ever asked for.
        switch (type.getName()) {
            case "io.netty.channel.epoll.EpollSocketChannel":
                return EpollSocketChannel::new;
            case "io.netty.channel.epoll.EpollDatagramChannel":
                return EpollDatagramChannel::new;
            case "io.netty.channel.socket.nio.NioSocketChannel":
                return NioSocketChannel::new;
            case "io.netty.channel.socket.nio.NioDatagramChannel":
                return NioDatagramChannel::new;
            default:
                return new ReflectiveChannelFactory<>(type);
        }
    }
}

package io.taps.spi;

import static io.taps.properties.Property.ACTIVE_READ_BEFORE_SEND;
import static io.taps.properties.Property.CONGESTION_CONTROL;
import static io.taps.properties.Property.FULL_CHECKSUM_RECV;
import static io.taps.properties.Property.FULL_CHECKSUM_SEND;
import static io.taps.properties.Property.KEEP_ALIVE;
import static io.taps.properties.Property.PRESERVE_MSG_BOUNDARIES;
import static io.taps.properties.Property.PRESERVE_ORDER;
import static io.taps.properties.Property.RELIABILITY;
import static io.taps.properties.Property.USE_TEMPORARY_LOCAL_ADDRESS;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A protocol stack written against the public SPI only, the way a user would add one: TCP whose
 * every socket carries the DSCP class AF11 (IP_TOS 0x28, RFC 2474/2597), a socket option the built-in
 * TCP never sets. It records every channel it opens or accepts, so a test can read the option back
 * from the kernel, and applies keepAliveTimeout itself (SO_KEEPALIVE).
 */
class DscpTcpStack implements ProtocolStack {
    static final String NAME = "TCP/AF11";
    /** DSCP AF11 (10) in the upper six bits of the TOS byte. */
    static final int TOS = 10 << 2;

    final List<Channel> connected = new CopyOnWriteArrayList<>();
    final List<Channel> accepted = new CopyOnWriteArrayList<>();
    final List<Property<?>> applied = new CopyOnWriteArrayList<>();

    private final StackCapabilities capabilities = StackCapabilities.builder(NAME).secure(false).byteStream(true)
            .propertyNamespace("tcp")
            .support(RELIABILITY, Support.ALWAYS)
            .support(PRESERVE_MSG_BOUNDARIES, Support.NEVER)
            .support(PRESERVE_ORDER, Support.ALWAYS)
            .support(FULL_CHECKSUM_SEND, Support.ALWAYS)
            .support(FULL_CHECKSUM_RECV, Support.ALWAYS)
            .support(CONGESTION_CONTROL, Support.ALWAYS)
            .support(KEEP_ALIVE, Support.OPTIONAL)
            .support(USE_TEMPORARY_LOCAL_ADDRESS, Support.OPTIONAL)
            .support(ACTIVE_READ_BEFORE_SEND, Support.OPTIONAL)
            .build();

    @Override
    public StackCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public void connect(StackAttempt attempt) {
        Bootstrap bootstrap = new Bootstrap().group(attempt.eventLoop()).channel(attempt.socketChannelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.IP_TOS, TOS)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) attempt.timeout().toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        connected.add(channel);
                        attempt.attach(channel, null);
                    }
                });
        ChannelFuture connecting = attempt.local() == null ? bootstrap.connect(attempt.remote())
                : bootstrap.connect(attempt.remote(), attempt.local());
        connecting.addListener(done -> {
            if (!done.isSuccess()) {
                attempt.fail(done.cause());
            }
        });
    }

    @Override
    public StackListener listen(StackBinding binding) {
        List<Channel> servers = new CopyOnWriteArrayList<>();
        ServerBootstrap bootstrap = new ServerBootstrap().group(binding.group())
                .channel(binding.serverSocketChannelType())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.IP_TOS, TOS)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        accepted.add(channel);
                        binding.attach(channel, null);
                    }
                });
        bindNext(bootstrap, binding, servers, 0, new ArrayList<>());
        return new StackListener() {
            @Override
            public void setAccepting(boolean accept) {
                servers.forEach(server -> server.config().setAutoRead(accept));
            }

            @Override
            public void close(Runnable whenClosed) {
                if (servers.isEmpty()) {
                    whenClosed.run();
                    return;
                }
                AtomicInteger open = new AtomicInteger(servers.size());
                servers.forEach(server -> server.close().addListener(closed -> {
                    if (open.decrementAndGet() == 0) {
                        whenClosed.run();
                    }
                }));
            }
        };
    }

    private static void bindNext(ServerBootstrap bootstrap, StackBinding binding, List<Channel> servers, int index,
            List<InetSocketAddress> bound) {
        if (index == binding.addresses().size()) {
            binding.bound(bound);
            return;
        }
        InetSocketAddress requested = binding.addresses().get(index);
        InetSocketAddress target = requested.getPort() == 0 && !bound.isEmpty()
                ? new InetSocketAddress(requested.getAddress(), bound.get(0).getPort()) : requested;
        ChannelFuture binding1 = bootstrap.bind(target);
        binding1.addListener(done -> {
            if (!done.isSuccess()) {
                servers.forEach(Channel::close);
                binding.fail(done.cause());
                return;
            }
            servers.add(binding1.channel());
            bound.add((InetSocketAddress) binding1.channel().localAddress());
            bindNext(bootstrap, binding, servers, index + 1, bound);
        });
    }

    @Override
    public String portSpace() {
        return "tcp";
    }

    @Override
    public boolean applyOption(Channel channel, Property<?> property, Object value) {
        if (property == Property.KEEP_ALIVE_TIMEOUT && !((Timeout) value).isNone()) {
            applied.add(property);
            return channel.config().setOption(ChannelOption.SO_KEEPALIVE, true);
        }
        return false;
    }

    @Override
    public String toString() {
        return NAME;
    }
}

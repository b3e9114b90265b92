package io.taps.internal.stack;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.security.TlsHandlers;
import io.taps.security.SecurityLevel;
import io.taps.security.SecurityParameters;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackListener;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The listening sockets of TCP and TLS/TCP (RFC 9623 §4.7.1, M-30): every inbound handshake that
 * completes (TCP accepted, TLS handshake done, framers ready) becomes a new Connection. A TLS/TCP
 * Listener with opportunistic security accepts cleartext TCP clients on the same port as well.
 */
final class StreamSockets implements StackListener {
    private final StackKind kind;
    private final ProtocolStack stack;
    private final TapsBinding binding;
    private final List<Channel> serverChannels = new CopyOnWriteArrayList<>();

    StreamSockets(StackKind kind, ProtocolStack stack, TapsBinding binding) {
        this.kind = kind;
        this.stack = stack;
        this.binding = binding;
    }

    /** Binds every address in turn; a port chosen by the first ephemeral bind is reused for the rest. */
    void bind(List<InetSocketAddress> addresses) {
        SslContext sslContext;
        try {
            sslContext = kind.secure() ? binding.tlsServerContext() : null;
        } catch (TransportServicesException invalid) {
            binding.fail(invalid);
            return;
        }
        SecurityParameters security = binding.use().security();
        // RFC 9622 §6.3: opportunistic security takes TLS when the client offers it, else cleartext.
        boolean cleartextToo = security.level() == SecurityLevel.OPPORTUNISTIC;
        ServerBootstrap bootstrap = new ServerBootstrap().group(binding.group())
                .channel(binding.serverSocketChannelType())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, StackConnector.WATER_MARK)
                .childOption(ChannelOption.SO_KEEPALIVE, StackConnector.wantsKeepAlive(binding.properties()))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        CompletionStage<?> handshake = null;
                        if (sslContext != null) {
                            handshake = TlsHandlers.addServer(channel, sslContext, security, null, cleartextToo);
                        }
                        // An opportunistic Listener's cleartext client is a TCP Connection, not a TLS one.
                        binding.attach(channel, handshake, accepted -> new ChannelLink(accepted,
                                accepted.pipeline().get(SslHandler.class) == null ? StackKind.TCP : kind));
                    }
                });
        bindNext(bootstrap, addresses, 0, new ArrayList<>(), new AtomicInteger(0));
    }

    private void bindNext(ServerBootstrap bootstrap, List<InetSocketAddress> addresses, int index,
            List<InetSocketAddress> boundSoFar, AtomicInteger chosenPort) {
        if (index == addresses.size()) {
            binding.bound(boundSoFar);
            return;
        }
        InetSocketAddress requested = addresses.get(index);
        InetSocketAddress target = requested.getPort() == 0 && chosenPort.get() != 0
                ? new InetSocketAddress(requested.getAddress(), chosenPort.get()) : requested;
        ChannelFuture binding = bootstrap.bind(target);
        binding.addListener(done -> {
            if (!done.isSuccess()) {
                serverChannels.forEach(Channel::close);
                this.binding.fail(new TransportServicesException(ErrorReason.LISTEN_FAILED,
                        "cannot listen (" + stack.capabilities().name() + ") on " + target + ": "
                                + done.cause().getMessage(), done.cause()));
                return;
            }
            Channel server = binding.channel();
            serverChannels.add(server);
            InetSocketAddress local = (InetSocketAddress) server.localAddress();
            chosenPort.compareAndSet(0, local.getPort());
            boundSoFar.add(local);
            if (this.binding.isStopping()) {
                server.close();
            }
            bindNext(bootstrap, addresses, index + 1, boundSoFar, chosenPort);
        });
    }

    @Override
    public void setAccepting(boolean accept) {
        // With autoRead off the server socket stops accepting; the kernel's backlog holds new clients.
        for (Channel server : serverChannels) {
            server.config().setAutoRead(accept);
        }
    }

    @Override
    public void close(Runnable whenClosed) {
        List<Channel> channels = List.copyOf(serverChannels);
        serverChannels.clear();
        if (channels.isEmpty()) {
            whenClosed.run();
            return;
        }
        AtomicInteger open = new AtomicInteger(channels.size());
        for (Channel server : channels) {
            server.close().addListener(closed -> {
                if (open.decrementAndGet() == 0) {
                    whenClosed.run();
                }
            });
        }
    }
}

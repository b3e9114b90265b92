package io.taps.internal.listen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.quic.QuicServerSockets;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The UDP sockets of a QUIC Listener (design.md Q-15): one per local address, each with its own
 * QUIC server codec; every ready stream goes to {@code accepted}. Used alone by
 * {@link QuicListener}, and next to a TLS/TCP Listener's server sockets when both stacks are
 * eligible (see {@link ListenerCore#companion}).
 */
final class QuicSockets {
    private final EventLoopGroup group;
    private final IoTransport transport;
    private final SecurityParameters security;
    private final TransportProperties properties;
    private final Executor eventExecutor;
    private final List<FramerFactory> framers;
    private final Consumer<TapsConnection> accepted;
    private final List<Channel> sockets = new CopyOnWriteArrayList<>();

    QuicSockets(EventLoopGroup group, IoTransport transport, SecurityParameters security,
            TransportProperties properties, Executor eventExecutor, List<FramerFactory> framers,
            Consumer<TapsConnection> accepted) {
        this.group = group;
        this.transport = transport;
        this.security = security;
        this.properties = properties;
        this.eventExecutor = eventExecutor;
        this.framers = List.copyOf(framers);
        this.accepted = accepted;
    }

    /**
     * Binds every address in turn; a port chosen by the first ephemeral bind is reused for the
     * rest. Fails with LISTEN_FAILED (all sockets closed) when one address cannot be bound.
     */
    CompletableFuture<List<InetSocketAddress>> bind(List<InetSocketAddress> addresses) {
        CompletableFuture<List<InetSocketAddress>> result = new CompletableFuture<>();
        bindNext(addresses, 0, new ArrayList<>(), new AtomicInteger(0), result);
        return result;
    }

    private void bindNext(List<InetSocketAddress> addresses, int index, List<InetSocketAddress> boundSoFar,
            AtomicInteger chosenPort, CompletableFuture<List<InetSocketAddress>> result) {
        if (index == addresses.size()) {
            result.complete(boundSoFar);
            return;
        }
        ChannelHandler codec;
        try {
            codec = QuicServerSockets.codec(security, properties, eventExecutor, framers, accepted);
        } catch (TransportServicesException invalid) {
            close(() -> result.completeExceptionally(invalid));
            return;
        }
        InetSocketAddress requested = addresses.get(index);
        InetSocketAddress target = requested.getPort() == 0 && chosenPort.get() != 0
                ? new InetSocketAddress(requested.getAddress(), chosenPort.get()) : requested;
        ChannelFuture binding = new Bootstrap().group(group).channel(transport.datagramChannel()).handler(codec)
                .bind(target);
        binding.addListener(done -> {
            if (!done.isSuccess()) {
                TransportServicesException failure = new TransportServicesException(ErrorReason.LISTEN_FAILED,
                        "cannot listen (QUIC) on " + target + ": " + done.cause().getMessage(), done.cause());
                close(() -> result.completeExceptionally(failure));
                return;
            }
            Channel socket = binding.channel();
            sockets.add(socket);
            InetSocketAddress local = (InetSocketAddress) socket.localAddress();
            chosenPort.compareAndSet(0, local.getPort());
            boundSoFar.add(local);
            bindNext(addresses, index + 1, boundSoFar, chosenPort, result);
        });
    }

    /** Closes every socket (and with it every QUIC connection on it); {@code whenClosed} runs after. */
    void close(Runnable whenClosed) {
        List<Channel> channels = List.copyOf(sockets);
        sockets.clear();
        if (channels.isEmpty()) {
            whenClosed.run();
            return;
        }
        AtomicInteger open = new AtomicInteger(channels.size());
        for (Channel socket : channels) {
            socket.close().addListener(closed -> {
                if (open.decrementAndGet() == 0) {
                    whenClosed.run();
                }
            });
        }
    }
}

package io.taps.internal.quic;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.quic.QuicSslContext;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.security.QuicSslContexts;
import io.taps.internal.stack.ListenerEarlyData;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.spi.StackListener;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The UDP sockets of a QUIC Listener (RFC 9622 §7.2, design.md ): one per local address,
 * each with its own QUIC server codec (certificate and key from the SecurityParameters' identities,
 * their ALPN list). Every bidirectional stream a client opens is one ConnectionReceived, delivered to
 * {@code accepted} when its first data or FIN arrives (QUIC opens streams implicitly, RFC 9000 §2.1)
 * and once its framers are ready.
 *
 * <p>newConnectionLimit and the concurrency cap count streams. When the limit is reached, streams
 * that arrive anyway are held by the Listener and delivered when it is raised; the UDP socket keeps
 * reading, because pausing it would stall every stream of every client, including the ones already
 * delivered. Closing the sockets closes every QUIC connection accepted on them (unlike TCP, whose
 * accepted connections outlive the listening socket).
 */
final class QuicSockets implements StackListener {
    private final EventLoopGroup group;
    private final IoTransport transport;
    /** The TLS context every new QUIC connection gets; replaced by updateSecurity. */
    private volatile QuicSslContext sslContext;
    private final TransportProperties properties;
    private final Executor eventExecutor;
    private final List<FramerFactory> framers;
    private final Consumer<TapsConnection> accepted;
    /** Told of each client whose handshake was refused (ConnectionRejected). */
    private final java.util.function.BiConsumer<InetSocketAddress, Throwable> rejected;
    private final List<Channel> sockets = new CopyOnWriteArrayList<>();
    /** The open QUIC connections on these sockets. */
    private final java.util.Set<io.netty.handler.codec.quic.QuicChannel> connections =
            java.util.concurrent.ConcurrentHashMap.newKeySet();

    QuicSockets(EventLoopGroup group, IoTransport transport, SecurityParameters security,
            TransportProperties properties, Executor eventExecutor, List<FramerFactory> framers,
            Consumer<TapsConnection> accepted, java.util.function.BiConsumer<InetSocketAddress, Throwable> rejected) {
        this.group = group;
        this.transport = transport;
        this.sslContext = QuicSslContexts.forServer(security, ListenerEarlyData.accepted(properties));
        this.properties = properties;
        this.eventExecutor = eventExecutor;
        this.framers = List.copyOf(framers);
        this.accepted = accepted;
        this.rejected = rejected;
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
            codec = QuicServerSockets.codec(() -> sslContext, properties, eventExecutor, framers, accepted,
                    connections, rejected);
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

    /**
     * Builds the QUIC TLS context of {@code security} now (off the event loops, ListenerCore sees to
     * that); the returned step makes it the one every QUIC connection accepted afterwards
     * handshakes with. QUIC connections accepted before keep their handshake, and so do the streams
     * their clients open later: those are new Connections of an existing QUIC connection's group.
     */
    @Override
    public Runnable prepareSecurityUpdate(SecurityParameters security) {
        QuicSslContext next = QuicSslContexts.forServer(security, ListenerEarlyData.accepted(properties));
        return () -> sslContext = next;
    }

    @Override
    public void setAccepting(boolean accept) {
        // Deliberately nothing: see the class comment.
    }

    /**
     * Closes every QUIC connection on the sockets, which tells each client (CONNECTION_CLOSE, RFC
     * 9000 §10.2) instead of leaving it to its idle timeout, then every socket; {@code whenClosed}
     * runs after.
     */
    @Override
    public void close(Runnable whenClosed) {
        List<Channel> channels = List.copyOf(sockets);
        sockets.clear();
        if (channels.isEmpty()) {
            whenClosed.run();
            return;
        }
        List<io.netty.handler.codec.quic.QuicChannel> open = List.copyOf(connections);
        if (open.isEmpty()) {
            closeSockets(channels, whenClosed);
            return;
        }
        AtomicInteger closing = new AtomicInteger(open.size());
        for (io.netty.handler.codec.quic.QuicChannel quic : open) {
            quic.close().addListener(closed -> {
                if (closing.decrementAndGet() == 0) {
                    closeSockets(channels, whenClosed);
                }
            });
        }
    }

    private static void closeSockets(List<Channel> channels, Runnable whenClosed) {
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

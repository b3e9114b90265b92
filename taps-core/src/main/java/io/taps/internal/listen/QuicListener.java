package io.taps.internal.listen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.taps.ErrorReason;
import io.taps.ListenerEventHandler;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.quic.QuicServerSockets;
import io.taps.internal.stack.StackKind;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Listener for QUIC (RFC 9622 §7.2, design.md ): a UDP socket per local address with
 * Netty's QUIC server codec (certificate and key from the SecurityParameters' identities, their ALPN
 * list). Every bidirectional stream a client opens is one ConnectionReceived, delivered when its
 * first data or FIN arrives (QUIC opens streams implicitly, RFC 9000 §2.1) and once its framers are
 * ready.
 *
 * <p>newConnectionLimit and the concurrency cap count streams. When the limit is reached, streams
 * that arrive anyway are held by {@link ListenerCore} and delivered when it is raised; the UDP
 * socket keeps reading, because pausing it would stall every stream of every client, including the
 * ones already delivered.
 */
public final class QuicListener extends ListenerCore {
    private final EventLoopGroup group;
    private final IoTransport transport;
    private final SecurityParameters security;
    private final Executor eventExecutor;
    private final List<FramerFactory> framers;
    private final List<Channel> sockets = new CopyOnWriteArrayList<>();

    public QuicListener(TransportProperties properties, ListenerEventHandler handler, Executor eventExecutor,
            EventLoopGroup group, IoTransport transport, SecurityParameters security, List<FramerFactory> framers) {
        super(StackKind.QUIC, properties, handler, eventExecutor);
        this.group = group;
        this.transport = transport;
        this.security = security;
        this.eventExecutor = eventExecutor;
        this.framers = List.copyOf(framers);
    }

    /** Binds every address in turn, each with its own codec; a port chosen by the first ephemeral bind is reused. */
    @Override
    public void bind(List<InetSocketAddress> addresses) {
        bindNext(addresses, 0, new ArrayList<>(), new AtomicInteger(0));
    }

    private void accepted(TapsConnection connection) {
        offer(connection);
    }

    private void bindNext(List<InetSocketAddress> addresses, int index, List<InetSocketAddress> boundSoFar,
            AtomicInteger chosenPort) {
        if (index == addresses.size()) {
            bound(boundSoFar);
            return;
        }
        ChannelHandler codec;
        try {
            codec = QuicServerSockets.codec(security, properties, eventExecutor, framers, this::accepted);
        } catch (TransportServicesException invalid) {
            sockets.forEach(Channel::close);
            bindFailed(invalid);
            return;
        }
        Bootstrap bootstrap = new Bootstrap().group(group).channel(transport.datagramChannel()).handler(codec);
        InetSocketAddress requested = addresses.get(index);
        InetSocketAddress target = requested.getPort() == 0 && chosenPort.get() != 0
                ? new InetSocketAddress(requested.getAddress(), chosenPort.get()) : requested;
        ChannelFuture binding = bootstrap.bind(target);
        binding.addListener(done -> {
            if (!done.isSuccess()) {
                sockets.forEach(Channel::close);
                bindFailed(new TransportServicesException(ErrorReason.LISTEN_FAILED,
                        "cannot listen (QUIC) on " + target + ": " + done.cause().getMessage(), done.cause()));
                return;
            }
            Channel socket = binding.channel();
            sockets.add(socket);
            InetSocketAddress local = (InetSocketAddress) socket.localAddress();
            chosenPort.compareAndSet(0, local.getPort());
            boundSoFar.add(local);
            if (isStopping()) {
                socket.close();
            }
            bindNext(addresses, index + 1, boundSoFar, chosenPort);
        });
    }

    @Override
    protected void setAccepting(boolean accept) {
        // Deliberately nothing: see the class comment.
    }

    @Override
    protected void closeSockets(Runnable whenClosed) {
        List<Channel> channels = List.copyOf(sockets);
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

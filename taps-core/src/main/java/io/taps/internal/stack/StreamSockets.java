package io.taps.internal.stack;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.conn.Link;
import io.taps.internal.security.SslContexts;
import io.taps.internal.security.TlsHandlers;
import io.taps.security.SecurityLevel;
import io.taps.security.SecurityParameters;
import io.taps.properties.Limit;
import io.taps.properties.Property;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackListener;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The listening sockets of TCP and TLS/TCP (RFC 9623 §4.7.1, M-30): every inbound handshake that
 * completes (TCP accepted, TLS handshake done, framers ready) becomes a new Connection. The sockets
 * get the Listener's {@code _taps.listenBacklog}, and an {@link AcceptGuard} each, so that a failing
 * accept() (out of file descriptors) pauses and retries instead of flooding the log. A TLS/TCP
 * Listener with opportunistic security accepts cleartext TCP clients on the same port as well.
 */
final class StreamSockets implements StackListener {
    private final StackKind kind;
    private final ProtocolStack stack;
    private final TapsBinding binding;
    private final List<Channel> serverChannels = new CopyOnWriteArrayList<>();
    /** The TLS context new channels get, with the parameters it was built from; null for plain TCP. */
    private volatile ServerTls tls;

    /** A server TLS context and the Security Parameters it was built from. */
    private record ServerTls(SslContext context, SecurityParameters security) {
    }
    /** What the Listener wants (limit and cap); an AcceptGuard's pause comes on top of it. */
    private volatile boolean accepting = true;
    private volatile int backlog;
    /** Null: the I/O transport's own sockets. */
    private final SocketOpener sockets;
    private final BiFunction<Channel, StackKind, ? extends Link> links;
    /** The address the next server channel is opened for (binds run one after the other). */
    private volatile InetSocketAddress opening;

    StreamSockets(StackKind kind, ProtocolStack stack, TapsBinding binding) {
        this(kind, stack, binding, null, ChannelLink::new);
    }

    StreamSockets(StackKind kind, ProtocolStack stack, TapsBinding binding, SocketOpener sockets,
            BiFunction<Channel, StackKind, ? extends Link> links) {
        this.kind = kind;
        this.stack = stack;
        this.binding = binding;
        this.sockets = sockets;
        this.links = links;
    }

    /** Binds every address in turn; a port chosen by the first ephemeral bind is reused for the rest. */
    void bind(List<InetSocketAddress> addresses) {
        try {
            tls = kind.secure() ? new ServerTls(binding.tlsServerContext(), binding.use().security()) : null;
        } catch (TransportServicesException invalid) {
            binding.fail(invalid);
            return;
        }
        backlog = effectiveBacklog(binding.properties().get(Property.LISTEN_BACKLOG));
        SecurityParameters security = binding.use().security();
        // RFC 9622 §6.3: opportunistic security takes TLS when the client offers it, else cleartext.
        boolean cleartextToo = security.level() == SecurityLevel.OPPORTUNISTIC;
        ServerBootstrap bootstrap = new ServerBootstrap().group(binding.group());
        // An opportunistic Listener's cleartext client is a TCP Connection, not a TLS one. One
        // function for the Listener, not a lambda made per accepted channel (issue 21 figure 12).
        Function<Channel, Link> acceptedLinks = accepted -> links.apply(accepted,
                accepted.pipeline().get(SslHandler.class) == null ? StackKind.TCP : kind);
        if (sockets == null) {
            bootstrap.channel(binding.serverSocketChannelType());
        } else {
            bootstrap.channelFactory((io.netty.channel.ChannelFactory<ServerChannel>) () -> sockets.server(binding, opening));
        }
        if (StackConnector.NO_DELAY_NEEDS_SETTING) {
            bootstrap.childOption(ChannelOption.TCP_NODELAY, true);
        }
        if (StackConnector.wantsKeepAlive(binding.properties())) {
            bootstrap.childOption(ChannelOption.SO_KEEPALIVE, true);
        }
        bootstrap.option(ChannelOption.SO_BACKLOG, backlog)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel server) {
                        server.pipeline().addLast("accept-guard", new AcceptGuard(stack.capabilities().name(),
                                () -> accepting, binding::acceptFailed));
                    }
                })
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, StackConnector.WATER_MARK)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        CompletionStage<?> handshake = null;
                        // Read once per accepted channel: an updateSecurity swaps it for later ones only.
                        ServerTls current = tls;
                        if (current != null) {
                            handshake = TlsHandlers.addServer(channel, current.context(), current.security(), null,
                                    cleartextToo);
                        }
                        binding.attach(channel, handshake, acceptedLinks);
                    }
                });
        boolean fastOpen = acceptsFastOpen();
        if (fastOpen) {
            bootstrap.option(ChannelOption.TCP_FASTOPEN, TcpFastOpen.LISTEN_QUEUE);
        }
        bootstrap.childHandler(withFastOpen(bootstrap.config().childHandler(), fastOpen));
        bindNext(bootstrap, addresses, 0, new ArrayList<>(), new AtomicInteger(0));
    }

    /**
     * TCP Fast Open on the listening socket (RFC 7413): plain TCP only (a TLS client's SYN would
     * carry a ClientHello, not a Message), only when the Listener opted in to 0-RTT
     * ({@link ListenerEarlyData}), and only where the kernel accepts Fast Open SYNs on epoll.
     */
    private boolean acceptsFastOpen() {
        return kind == StackKind.TCP && ListenerEarlyData.accepted(binding.properties())
                && EpollServerSocketChannel.class.isAssignableFrom(binding.serverSocketChannelType())
                && TcpFastOpen.serverAvailable();
    }

    /**
     * Marks each accepted channel, before its first read, with whether Fast Open is on and how many
     * of its first bytes came in the SYN, so its Messages can say they are early data.
     */
    private static ChannelHandler withFastOpen(ChannelHandler accepted, boolean fastOpen) {
        if (!fastOpen) {
            return accepted;
        }
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.attr(TcpFastOpen.ENABLED).set(true);
                channel.attr(TcpFastOpen.SYN_DATA).set(TcpFastOpen.synDataBytes(channel));
                channel.pipeline().addLast(accepted);
            }
        };
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
        opening = target;
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
            if (!accepting) {
                applyAccepting(server);
            }
            InetSocketAddress local = (InetSocketAddress) server.localAddress();
            chosenPort.compareAndSet(0, local.getPort());
            boundSoFar.add(local);
            if (this.binding.isStopping()) {
                server.close();
            }
            bindNext(bootstrap, addresses, index + 1, boundSoFar, chosenPort);
        });
    }

    /**
     * The backlog listen() gets, as the kernel applies it: Linux clamps it to net.core.somaxconn,
     * which Netty read at startup, and Unlimited asks for exactly that maximum.
     */
    static int effectiveBacklog(Limit asked) {
        int max = NetUtil.SOMAXCONN;
        return asked.isUnlimited() ? max : (int) Math.min(asked.value(), max);
    }

    @Override
    public OptionalInt listenBacklog() {
        return OptionalInt.of(backlog);
    }

    @Override
    public void setAccepting(boolean accept) {
        accepting = accept;
        // With autoRead off the server socket stops accepting; the kernel's backlog holds new clients.
        for (Channel server : serverChannels) {
            if (server.eventLoop().inEventLoop()) {
                applyAccepting(server);
            } else {
                try {
                    server.eventLoop().execute(() -> applyAccepting(server));
                } catch (RejectedExecutionException shuttingDown) {
                    // The event loops are shutting down, and the socket with them.
                }
            }
        }
    }

    /** On the server's loop, so it is ordered with the guard's pause and resume. */
    private void applyAccepting(Channel server) {
        AcceptGuard guard = server.pipeline().get(AcceptGuard.class);
        // During a pause after a failed accept() the guard resumes, if still wanted.
        if (guard == null || !guard.paused()) {
            server.config().setAutoRead(accepting);
        }
    }

    /**
     * Builds the TLS context of {@code security} now, on the caller's thread (never an event loop:
     * ListenerCore sees to that); the returned step makes it the one new channels get. Channels
     * accepted before keep their handler, so their Connections are unaffected.
     */
    @Override
    public Runnable prepareSecurityUpdate(SecurityParameters security) {
        if (!kind.secure()) {
            return () -> { };
        }
        ServerTls next = new ServerTls(SslContexts.forServer(security), security);
        return () -> tls = next;
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

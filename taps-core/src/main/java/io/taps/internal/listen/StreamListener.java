package io.taps.internal.listen;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.taps.ConnectionEventHandler;
import io.taps.ErrorReason;
import io.taps.ListenerEventHandler;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.framer.FramerStack;
import io.taps.internal.security.TlsHandlers;
import io.taps.internal.stack.ChannelLink;
import io.taps.internal.stack.ConnectionHandler;
import io.taps.internal.stack.StackConnector;
import io.taps.internal.stack.StackKind;
import io.taps.internal.transport.IoTransport;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Listener for connected stacks, TCP and TLS/TCP (RFC 9623 §4.7.1, M-30): every inbound
 * handshake that completes (TCP accepted, TLS handshake done) becomes a new Connection.
 */
public final class StreamListener extends ListenerCore {
    private static final Logger log = LoggerFactory.getLogger(StreamListener.class);
    /** SslHandler's default handshake timeout, which also bounds an inbound framer handshake. */
    static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final EventLoopGroup group;
    private final IoTransport transport;
    private final SslContext sslContext;
    private final SecurityParameters security;
    private final Executor eventExecutor;
    private final List<Channel> serverChannels = new CopyOnWriteArrayList<>();
    private final List<FramerFactory> framers;

    public StreamListener(StackKind stack, TransportProperties properties, ListenerEventHandler handler,
            Executor eventExecutor, EventLoopGroup group, IoTransport transport, SslContext sslContext,
            SecurityParameters security, List<FramerFactory> framers) {
        super(stack, properties, handler, eventExecutor);
        this.framers = List.copyOf(framers);
        this.group = group;
        this.transport = transport;
        this.sslContext = sslContext;
        this.security = security;
        this.eventExecutor = eventExecutor;
    }

    /** Binds every address in turn; a port chosen by the first ephemeral bind is reused for the rest. */
    @Override
    public void bind(List<InetSocketAddress> addresses) {
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(transport.serverSocketChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, StackConnector.WATER_MARK)
                .childOption(ChannelOption.SO_KEEPALIVE, StackConnector.wantsKeepAlive(properties))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        SslHandler ssl = null;
                        if (sslContext != null) {
                            ssl = TlsHandlers.newServerHandler(sslContext, channel.alloc());
                            channel.pipeline().addLast("tls", ssl);
                        }
                        // One new framer instance per accepted connection; ConnectionReceived
                        // waits until every framer is ready.
                        FramerStack framerStack = FramerStack.install(channel.pipeline(), framers, Role.LISTEN);
                        ConnectionHandler handler = new ConnectionHandler(acceptObserver(), sslContext != null,
                                framerStack);
                        channel.pipeline().addLast("taps", handler);
                        if (framerStack != null) {
                            // A peer that never completes the framers' handshake must not hold an
                            // accepted channel forever: TLS alone is bounded by SslHandler's
                            // handshake timeout, framers had no bound at all. The same bound covers
                            // the whole inbound establishment (TLS + framers), from accept on.
                            Duration limit = handshakeTimeout();
                            ScheduledFuture<?> expiry = channel.eventLoop().schedule(() -> handler.reportHandshake(
                                    channel, new TransportServicesException(ErrorReason.TIMEOUT,
                                            "inbound connection not ready (TLS handshake and framers) within "
                                                    + limit.toMillis() + " ms")),
                                    limit.toNanos(), TimeUnit.NANOSECONDS);
                            channel.closeFuture().addListener(closed -> expiry.cancel(false));
                            handler.whenReported(() -> expiry.cancel(false));
                        }
                        if (ssl != null) {
                            TlsHandlers.handshake(ssl, security)
                                    .whenComplete((alpn, failure) -> handler.reportHandshake(channel, failure));
                        }
                    }
                });
        bindNext(bootstrap, addresses, 0, new ArrayList<>(), new AtomicInteger(0));
    }

    private void bindNext(ServerBootstrap bootstrap, List<InetSocketAddress> addresses, int index,
            List<InetSocketAddress> boundSoFar, AtomicInteger chosenPort) {
        if (index == addresses.size()) {
            bound(boundSoFar);
            return;
        }
        InetSocketAddress requested = addresses.get(index);
        InetSocketAddress target = requested.getPort() == 0 && chosenPort.get() != 0
                ? new InetSocketAddress(requested.getAddress(), chosenPort.get()) : requested;
        ChannelFuture binding = bootstrap.bind(target);
        binding.addListener(done -> {
            if (!done.isSuccess()) {
                serverChannels.forEach(Channel::close);
                bindFailed(new TransportServicesException(ErrorReason.LISTEN_FAILED,
                        "cannot listen on " + target + ": " + done.cause().getMessage(), done.cause()));
                return;
            }
            Channel server = binding.channel();
            serverChannels.add(server);
            InetSocketAddress local = (InetSocketAddress) server.localAddress();
            chosenPort.compareAndSet(0, local.getPort());
            boundSoFar.add(local);
            if (isStopping()) {
                server.close();
            }
            bindNext(bootstrap, addresses, index + 1, boundSoFar, chosenPort);
        });
    }

    /**
     * How long an accepted connection may take to become ready (TLS handshake and framers): the
     * listener's connTimeout when set, else SslHandler's default handshake timeout (10 s).
     */
    private Duration handshakeTimeout() {
        Timeout connTimeout = properties.get(Property.CONN_TIMEOUT);
        return connTimeout.isNone() ? DEFAULT_HANDSHAKE_TIMEOUT : connTimeout.duration();
    }

    private ConnectionHandler.AttemptObserver acceptObserver() {
        return new ConnectionHandler.AttemptObserver() {
            @Override
            public void stackReady(Channel channel, ConnectionHandler handler) {
                TapsConnection connection = new TapsConnection(channel.eventLoop(), eventExecutor, properties,
                        Role.LISTEN, new ConnectionEventHandler() { });
                // Adopt first, then replay what the handler held (see Establishment: held framed
                // Messages need the framed link).
                connection.establishPassive(new ChannelLink(channel, stack), stack.capabilities());
                handler.bind(connection);
                offer(connection);
            }

            @Override
            public void stackFailed(Channel channel, Throwable cause) {
                // A client that fails the TLS handshake never becomes a Connection; nobody to tell but the log.
                log.debug("Inbound {} handshake or framer start from {} failed: {}", stack.capabilities().name(),
                        channel.remoteAddress(), cause.toString());
                channel.close();
            }
        };
    }

    @Override
    protected void setAccepting(boolean accept) {
        // With autoRead off the server socket stops accepting; the kernel's backlog holds new clients.
        for (Channel server : serverChannels) {
            server.config().setAutoRead(accept);
        }
    }

    @Override
    protected void closeSockets(Runnable whenClosed) {
        List<Channel> channels = List.copyOf(serverChannels);
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

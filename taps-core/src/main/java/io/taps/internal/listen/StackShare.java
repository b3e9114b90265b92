package io.taps.internal.listen;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.conn.Link;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.security.SslContexts;
import io.taps.internal.security.TlsHandlers;
import io.taps.internal.stack.Acceptor;
import io.taps.internal.stack.StackEnvironment;
import io.taps.internal.stack.TapsBinding;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackListener;
import io.taps.spi.StackUse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One stack's share of a {@link ListenerCore} (RFC 9622 §7.2, RFC 9623 §4.7): the
 * {@link io.taps.spi.StackBinding} the stack listens through, and the {@link StackListener} it
 * returned. Accepted flows become Connections of the one Listener, with its countdown and cap.
 */
final class StackShare implements TapsBinding {
    /** How long an accepted flow may take to be ready when the Listener sets no connTimeout (SslHandler's default). */
    static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final ListenerCore listener;
    private final ProtocolStack stack;
    private final PreconnectionSpec spec;
    private volatile StackUse use;
    private final List<InetSocketAddress> addresses;
    private final StackEnvironment environment;
    private final CompletableFuture<List<InetSocketAddress>> outcome = new CompletableFuture<>();
    private volatile StackListener sockets;
    private volatile SslContext serverContext;
    /** The links of a plugged-in stack's accepted channels ({@link #attach(Channel, CompletionStage)}). */
    private final Function<Channel, Link> pluggedLinks = accepted -> Acceptor.pluggedLink(accepted, stack());
    /** The observer of the last accepted channel's attach, reused while the stack passes the same link function. */
    private volatile Acceptor.Inbound inbound;

    StackShare(ListenerCore listener, ProtocolStack stack, PreconnectionSpec spec, List<InetSocketAddress> addresses,
            StackEnvironment environment) {
        this.listener = listener;
        this.stack = stack;
        this.spec = spec;
        this.use = spec.use(Role.LISTEN);
        this.addresses = List.copyOf(addresses);
        this.environment = environment;
    }

    /** Lets the stack listen; completes with the bound addresses, or the failure. */
    CompletableFuture<List<InetSocketAddress>> start() {
        try {
            sockets = stack.listen(this);
        } catch (RuntimeException | LinkageError failure) {
            fail(failure);
        }
        return outcome;
    }

    ProtocolStack stack() {
        return stack;
    }

    /**
     * Lets the stack prepare {@code security} for the flows it accepts from now on; the returned step
     * makes them current (see {@link StackListener#prepareSecurityUpdate}).
     */
    Runnable prepareSecurityUpdate(SecurityParameters security) {
        StackListener current = sockets;
        if (current == null) {
            throw new TransportServicesException(ErrorReason.LISTEN_FAILED,
                    "the " + stack.capabilities().name() + " stack is not listening");
        }
        return current.prepareSecurityUpdate(security);
    }

    /** The Listener's Security Parameters were replaced: {@link #use()} and the TLS context follow them. */
    void securityUpdated(StackUse updated) {
        use = updated;
        serverContext = null;
    }

    /** The accept backlog the stack's sockets were given, if they have one. */
    java.util.OptionalInt listenBacklog() {
        StackListener current = sockets;
        return current == null ? java.util.OptionalInt.empty() : current.listenBacklog();
    }

    void setAccepting(boolean accept) {
        StackListener current = sockets;
        if (current != null) {
            current.setAccepting(accept);
        }
    }

    void close(Runnable whenClosed) {
        StackListener current = sockets;
        if (current == null) {
            whenClosed.run();
        } else {
            current.close(whenClosed);
        }
    }

    /** A ListenError (E-04) naming the stack, from whatever the stack failed with. */
    static TransportServicesException listenError(ProtocolStack stack, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof TransportServicesException) {
            return (TransportServicesException) cause;
        }
        return new TransportServicesException(ErrorReason.LISTEN_FAILED,
                "cannot listen (" + stack.capabilities().name() + "): " + cause, cause);
    }

    @Override
    public StackUse use() {
        return use;
    }

    @Override
    public List<InetSocketAddress> addresses() {
        return addresses;
    }

    @Override
    public EventLoopGroup group() {
        return environment.group();
    }

    @Override
    public SslContext tlsServerContext() {
        SslContext context = serverContext;
        if (context == null) {
            context = SslContexts.forServer(use.security());
            serverContext = context;
        }
        return context;
    }

    @Override
    public Duration handshakeTimeout() {
        Timeout connTimeout = listener.properties.get(Property.CONN_TIMEOUT);
        return connTimeout.isNone() ? DEFAULT_HANDSHAKE_TIMEOUT : connTimeout.duration();
    }

    @Override
    public boolean mayAccept() {
        return listener.mayAccept();
    }

    @Override
    public void acceptFailed(Throwable cause) {
        listener.acceptFailed(stack, cause);
    }

    @Override
    public void bound(List<InetSocketAddress> bound) {
        outcome.complete(List.copyOf(bound));
    }

    @Override
    public void fail(Throwable cause) {
        outcome.completeExceptionally(listenError(stack, cause));
    }

    @Override
    public void attach(Channel channel, CompletionStage<?> handshake) {
        attach(channel, handshake, pluggedLinks);
    }

    /**
     * Attaches an accepted channel through the stack's {@link Acceptor.Inbound} for {@code links}:
     * a stack passes the same function for every channel it accepts, so the one made for the
     * previous channel serves (on whichever event loop: it keeps no state of a channel).
     */
    @Override
    public void attach(Channel channel, CompletionStage<?> handshake, Function<Channel, Link> links) {
        Acceptor.Inbound current = inbound;
        if (current == null || !current.links(links)) {
            current = Acceptor.inbound(this, stack, links);
            inbound = current;
        }
        current.attach(channel, handshake);
    }

    @Override
    public StackEnvironment environment() {
        return environment;
    }

    @Override
    public List<FramerFactory> framers() {
        return spec.framers();
    }

    @Override
    public TransportProperties properties() {
        return listener.properties;
    }

    @Override
    public void offer(TapsConnection connection) {
        listener.offer(connection);
    }

    @Override
    public void limitReached(TransportServicesException notice) {
        listener.limitReached(notice);
    }

    @Override
    public void rejected(InetSocketAddress remote, Throwable cause) {
        TransportServicesException reason;
        if (cause instanceof TransportServicesException) {
            reason = (TransportServicesException) cause;
        } else if (stack.capabilities().secure()) {
            reason = TlsHandlers.classify(cause);
        } else {
            reason = new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED,
                    "inbound " + stack.capabilities().name() + " connection failed before it was ready: " + cause, cause);
        }
        listener.rejected(remote, reason);
    }

    @Override
    public boolean isStopping() {
        return listener.isStopping();
    }
}

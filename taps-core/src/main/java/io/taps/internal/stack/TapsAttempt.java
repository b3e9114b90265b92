package io.taps.internal.stack;

import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.TransportServicesException;
import io.taps.framer.FramerFactory;
import io.taps.internal.cache.CacheScope;
import io.taps.monitor.EstablishmentReport;
import io.taps.internal.conn.Link;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.framer.FramerStack;
import io.taps.internal.gather.ProxyHop;
import io.taps.internal.group.CloneSupport;
import io.taps.internal.proxy.ProxyTunnel;
import io.taps.internal.security.TlsHandlers;
import io.taps.properties.Role;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackAttempt;
import io.taps.spi.StackCapabilities;
import io.taps.spi.StackUse;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * taps' side of one establishment attempt (RFC 9623 §4.4.1): what {@link ProtocolStack#connect}
 * gets, and what the racer keeps. It succeeds when the whole stack is ready (TCP connected, TLS
 * handshake done; UDP as soon as the socket is connected, which sends nothing, M-04) and, on
 * byte-stream stacks, every framer has called makeConnectionReady (RFC 9623 §6.1, Q-4). Its outcome
 * completes on the attempt's event loop.
 *
 * <p>Built-in stacks reach taps' internals through the methods that are not part of the SPI: the
 * link their Connection runs on ({@link #attach(Channel, CompletionStage, Function)}), a stream
 * inside a shared connection ({@link #stream}) and their own clone support ({@link #clones}).
 */
public final class TapsAttempt implements StackAttempt, EnvironmentContext {
    private final ProtocolStack stack;
    private final EventLoop loop;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final String peerName;
    private final StackUse use;
    private final Duration timeout;
    private final List<FramerFactory> framers;
    private final Message early;
    private final CacheScope scope;
    private final StackEnvironment environment;
    private final CompletableFuture<TapsAttempt> outcome = new CompletableFuture<>();
    private final List<Runnable> closers = new CopyOnWriteArrayList<>();
    private volatile Channel channel;
    private volatile ConnectionHandler handler;
    private volatile Supplier<Link> linkFactory;
    private volatile BiFunction<TapsConnection, EstablishmentReport.Candidate, CloneSupport> cloneSupport;
    private volatile boolean sentEarly;
    /** The proxy this attempt tunnels through (RFC 9623 §4.1.2), or null on the direct branch. */
    private ProxyHop proxy;
    /** The proxy handshake of a proxy leaf, once attached. */
    private volatile CompletableFuture<Void> tunnel;
    private volatile boolean handedEarly;

    /**
     * An attempt of {@code stack} to {@code remote}. {@code early} (nullable) is a safelyReplayable
     * InitiateWithSend Message a 0-RTT-capable stack may send as early data; {@code scope} decides
     * whose TLS sessions the attempt resumes (RFC 9623 §9.1).
     */
    public TapsAttempt(ProtocolStack stack, EventLoop loop, InetSocketAddress remote, InetSocketAddress local,
            String peerName, StackUse use, Duration timeout, List<FramerFactory> framers, Message early,
            CacheScope scope, StackEnvironment environment) {
        this.stack = stack;
        this.loop = loop;
        this.remote = remote;
        this.local = local;
        this.peerName = peerName;
        this.use = use;
        this.timeout = timeout;
        this.framers = List.copyOf(framers);
        this.early = early;
        this.scope = scope;
        this.environment = environment;
    }

    /** The internal view of an attempt given to a built-in stack. */
    public static TapsAttempt of(StackAttempt attempt) {
        return (TapsAttempt) attempt;
    }

    /**
     * Makes this attempt go through {@code hop} (null: direct): the stack connects to the proxy,
     * taps puts the proxy handshake at the head of the pipeline in {@link #attach}, and the attempt
     * is ready only once the tunnel is open and the stack's handshake done. Call before {@link #start()}.
     */
    public TapsAttempt throughProxy(ProxyHop hop) {
        this.proxy = hop;
        return this;
    }

    /** The proxy this attempt goes through, or null. */
    public ProxyHop proxy() {
        return proxy;
    }

    /** Lets the stack start the attempt; a stack that throws fails it. */
    public TapsAttempt start() {
        try {
            stack.connect(this);
        } catch (RuntimeException | LinkageError failure) {
            fail(failure);
        }
        return this;
    }

    public ProtocolStack stack() {
        return stack;
    }

    public CompletableFuture<TapsAttempt> outcome() {
        return outcome;
    }

    @Override
    public StackUse use() {
        return use;
    }

    @Override
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public InetSocketAddress remote() {
        return remote;
    }

    @Override
    public InetSocketAddress firstHop() {
        return proxy == null ? remote : proxy.address();
    }

    @Override
    public InetSocketAddress local() {
        return local;
    }

    @Override
    public String peerName() {
        return peerName;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    /** The Message Framers of the Connection, first nearest the application. */
    public List<FramerFactory> framers() {
        return framers;
    }

    @Override
    public Optional<ByteBuffer> earlyData() {
        return early == null ? Optional.empty() : Optional.of(ByteBuffer.wrap(early.bytes()).asReadOnlyBuffer());
    }

    @Override
    public void sentEarly() {
        this.sentEarly = true;
    }

    /**
     * Records that this attempt's channel took the early data to send itself, whether or not it
     * ends up in the first flight (TCP Fast Open without a cookie sends it after the handshake):
     * the Connection must not send it again.
     */
    void handedEarly() {
        this.handedEarly = true;
    }

    /** The Message this attempt sent (as 0-RTT early data, or itself right after the handshake), or null. */
    public Message sentEarlyMessage() {
        return sentEarly || handedEarly ? early : null;
    }

    /** Whether the early data went out before the handshake completed (0-RTT), for the report. */
    public boolean wentEarly() {
        return sentEarly;
    }

    public CacheScope scope() {
        return scope;
    }

    @Override
    public StackEnvironment environment() {
        return environment;
    }

    @Override
    public SslContext tlsClientContext() {
        return scope.clientContext(use.security());
    }

    @Override
    public CompletionStage<SslContext> prepareTlsClientContext() {
        return scope.clientContext(use.security(), environment.blocking());
    }

    @Override
    public void onCancel(Runnable closer) {
        closers.add(closer);
    }

    @Override
    public void fail(Throwable cause) {
        CompletableFuture<Void> open = tunnel;
        Channel current = channel;
        if (open != null && !open.isDone() && current != null && current.isActive()) {
            // The proxy handshake is under way and fails the stack's first writes before it reports
            // its own failure: the proxy's answer, not that echo, says why.
            open.whenComplete((ok, failure) -> outcome.completeExceptionally(
                    classify(failure != null ? unwrap(failure) : cause)));
            return;
        }
        Throwable tunnelFailure = open == null ? null : open.handle((ok, failure) -> failure).getNow(null);
        outcome.completeExceptionally(classify(tunnelFailure != null ? unwrap(tunnelFailure) : cause));
    }

    /** {@link #classify(StackCapabilities, InetSocketAddress, Throwable)}, naming the proxy of a proxy leaf. */
    private TransportServicesException classify(Throwable cause) {
        if (proxy == null || cause instanceof TransportServicesException) {
            return classify(stack.capabilities(), remote, cause);
        }
        TransportServicesException typed = classify(stack.capabilities(), proxy.address(), cause);
        return new AttemptFailure(typed.reason(), typed.getMessage() + " (first hop of the tunnel through "
                + proxy.describe() + ")", cause);
    }

    @Override
    public void attach(Channel channel, CompletionStage<?> handshake) {
        attach(channel, handshake, attached -> new StackChannelLink(attached, stack));
    }

    /** Like {@link #attach(Channel, CompletionStage)}, with the link a built-in stack's Connection runs on. */
    public void attach(Channel channel, CompletionStage<?> handshake, Function<Channel, Link> links) {
        this.channel = channel;
        if (proxy != null) {
            CompletableFuture<Void> open = ProxyTunnel.install(channel.pipeline(), proxy.server(), proxy.address(),
                    remote, timeout);
            this.tunnel = open;
            handshake = ProxyTunnel.throughTunnel(open, handshake);
        }
        FramerStack framerStack = stack.capabilities().byteStream()
                ? FramerStack.installHosted(channel.pipeline(), framers, Role.INITIATE) : null;
        ConnectionHandler attached = new ConnectionHandler(observer(), handshake != null, framerStack);
        this.handler = attached;
        this.linkFactory = () -> links.apply(channel);
        channel.pipeline().addLast("taps", attached);
        if (handshake != null) {
            handshake.whenComplete((done, failure) -> onLoop(channel,
                    () -> attached.reportHandshake(channel, failure)));
        }
    }

    private ConnectionHandler.AttemptObserver observer() {
        return new ConnectionHandler.AttemptObserver() {
            @Override
            public void stackReady(Channel ready, ConnectionHandler readyHandler) {
                if (!outcome.complete(TapsAttempt.this)) {
                    readyHandler.discard();
                    ready.close();
                }
            }

            @Override
            public void stackFailed(Channel failed, Throwable cause) {
                fail(cause);
                failed.close();
            }
        };
    }

    /**
     * For stacks whose Connection is a stream inside the attempt's connection (QUIC): the stream's
     * channel and handler, and how to make its link.
     */
    public void stream(Channel stream, ConnectionHandler streamHandler, Supplier<Link> link) {
        this.channel = stream;
        this.handler = streamHandler;
        this.linkFactory = link;
    }

    /** The clone support of the Connection this attempt wins, for a stack that clones its own way. */
    public void clones(BiFunction<TapsConnection, EstablishmentReport.Candidate, CloneSupport> support) {
        this.cloneSupport = support;
    }

    /**
     * The stack's own clone support for {@code winner}, which won as {@code candidate}, or null to
     * clone with a new attempt of the same stack.
     */
    public CloneSupport cloneSupportFor(TapsConnection winner, EstablishmentReport.Candidate candidate) {
        BiFunction<TapsConnection, EstablishmentReport.Candidate, CloneSupport> support = cloneSupport;
        return support == null ? null : support.apply(winner, candidate);
    }

    public Channel channel() {
        return channel;
    }

    public ConnectionHandler handler() {
        return handler;
    }

    /** The winning attempt's link for its Connection. */
    public Link link() {
        return linkFactory.get();
    }

    /** Stops a running or losing attempt and frees its channel. */
    public void cancel() {
        if (!outcome.isDone()) {
            // A losing attempt is cancelled on every race the winner decides: its failure (read only
            // when the race is lost anyway) is made only while it is still running, without a stack.
            outcome.completeExceptionally(new AttemptFailure(ErrorReason.ESTABLISHMENT_FAILED,
                    "attempt to " + remote + " cancelled", null));
        }
        ConnectionHandler current = handler;
        if (current != null) {
            current.discard();
        }
        Channel open = channel;
        if (open != null) {
            open.close();
        }
        closers.forEach(Runnable::run);
    }

    /**
     * Runs this attempt as the only one of {@code connection}, with no race (a Preconnection one
     * stack claimed, a clone by a new attempt): nothing when the connection was closed or aborted
     * meanwhile; otherwise {@code started} runs and the attempt starts. On the connection's loop
     * either {@code failed} gets the typed failure, or {@code won} runs and the won link becomes
     * the connection's.
     */
    public void establishAlone(TapsConnection connection, Runnable started,
            Consumer<TransportServicesException> failed, Runnable won) {
        if (!connection.onEstablishmentCancel(this::cancel)) {
            return;
        }
        started.run();
        start();
        outcome.whenComplete((attempt, failure) -> onLoop(loop, () -> {
            if (failure != null) {
                failed.accept(classify(unwrap(failure)));
                return;
            }
            won.run();
            connection.establish(link(), stack.capabilities());
            handler().bind(connection);
        }));
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Turns a Netty or JDK failure into a typed error naming the stack and the address. */
    public static TransportServicesException classify(StackCapabilities stack, InetSocketAddress remote,
            Throwable cause) {
        if (cause instanceof TransportServicesException) {
            return (TransportServicesException) cause;
        }
        String target = stack.name() + " to " + remote;
        if (cause instanceof ConnectTimeoutException) {
            return new AttemptFailure(ErrorReason.TIMEOUT, target + " timed out", cause);
        }
        if (cause instanceof ConnectException || cause instanceof NoRouteToHostException) {
            return new AttemptFailure(ErrorReason.ESTABLISHMENT_FAILED,
                    target + " failed: " + cause.getMessage(), cause);
        }
        if (stack.secure()) {
            TransportServicesException security = TlsHandlers.classify(cause);
            return new AttemptFailure(security.reason(), target + ": " + security.getMessage(), cause);
        }
        return new AttemptFailure(ErrorReason.ESTABLISHMENT_FAILED, target + " failed: " + cause, cause);
    }

    static void onLoop(Channel channel, Runnable task) {
        onLoop(channel.eventLoop(), task);
    }

    /** Runs {@code task} on {@code loop}: at once when already there. */
    public static void onLoop(EventLoop loop, Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }
}

package io.taps.internal.listen;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.ListenerEventHandler;
import io.taps.TransportServicesException;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.blocking.BlockingWork;
import io.taps.internal.conn.EventDispatcher;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.stack.StackEnvironment;
import io.taps.properties.Limit;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.spi.ProtocolStack;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A Listener (RFC 9622 §7.2, A-11) on every eligible protocol stack at once, each through the
 * protocol SPI ({@link ProtocolStack#listen}), at most one per port space: the first stack binds the
 * resolved LocalEndpoints, the others the same addresses and port numbers, so a client racing any
 * of them reaches the same port (design.md Q-15). If a later stack cannot take a port number the
 * first one chose for an ephemeral request, all are closed and bound again, a few times.
 *
 * <p>All stacks share the new-connection countdown, the concurrent-connection cap
 * ({@code _taps.maxConcurrentConnections}, Q-12), delivery of ConnectionReceived and the Stopped and
 * ListenError events. When the countdown reaches 0, connections already accepted are held, not
 * dropped, and delivered as soon as the limit is raised; one that ends while held (the peer gave
 * up) is forgotten and never delivered, so it takes no slot. Accepted Connections get the idle
 * timeout {@link AcceptedIdleTimeout} derives, and a stack that cannot accept (out of file
 * descriptors) is reported once per episode as AcceptFailed.
 */
public final class ListenerCore implements Listener {
    /** How often an ephemeral bind is retried when a later stack's port of the same number is taken. */
    private static final int PORT_RETRIES = 3;

    private final List<ProtocolStack> stacks;
    private final PreconnectionSpec spec;
    private final StackEnvironment environment;
    final TransportProperties properties;
    private final ListenerEventHandler handler;
    private final EventDispatcher events;
    private final CompletableFuture<Listener> readyFuture = new CompletableFuture<>();
    private final CompletableFuture<Void> stoppedFuture = new CompletableFuture<>();
    private final ArrayDeque<TapsConnection> held = new ArrayDeque<>();
    /**
     * Lets this Listener forget each of its Connections as it ends: one for all of them, not a
     * closure each. Which of the two a Connection has says whether it holds a slot of the cap, so
     * no set of the delivered ones is kept (~13-26 B of table per Connection, issue 21 figure 12).
     */
    private final io.taps.internal.conn.ConnectionEnd deliveredEnd = this::deliveredEnded;
    private final io.taps.internal.conn.ConnectionEnd heldEnd = this::heldEnded;
    private final long concurrencyCap;
    private volatile List<InetSocketAddress> bound = List.of();
    private long remaining = Long.MAX_VALUE;
    private long active;
    private boolean stopping;
    private volatile java.util.function.Consumer<TapsConnection> tracker = connection -> { };
    private int portRetries = PORT_RETRIES;
    private List<InetSocketAddress> requested = List.of();
    /** The stacks' shares of this Listener that are bound or binding, in rank order. */
    private final List<StackShare> shares = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ListenerSecurity security;
    /** The accept style's queue ({@code listen()} without a handler), or null for the handler style. */
    private final AcceptQueue acceptQueue;

    /**
     * A Listener on {@code listening} (the stacks that listen, best first, one per port space, as
     * {@link io.taps.internal.establish.StackSelection#listening} gives them), whose Connections
     * start with {@code properties}.
     */
    public ListenerCore(List<ProtocolStack> listening, PreconnectionSpec spec, TransportProperties properties,
            ListenerEventHandler handler, StackEnvironment environment) {
        this.stacks = List.copyOf(listening);
        this.spec = spec;
        this.environment = environment;
        this.properties = AcceptedIdleTimeout.apply(properties);
        this.handler = handler;
        this.acceptQueue = handler instanceof AcceptQueue ? (AcceptQueue) handler : null;
        if (acceptQueue != null) {
            acceptQueue.onRoomFreed(this::releaseHeld);
        }
        this.events = new EventDispatcher(environment.eventExecutor());
        Limit cap = properties.get(Property.MAX_CONCURRENT_CONNECTIONS);
        this.concurrencyCap = cap.isUnlimited() ? Long.MAX_VALUE : cap.value();
        this.security = new ListenerSecurity(spec, environment.blocking(), readyFuture, () -> List.copyOf(shares),
                this::isStopping);
    }

    /**
     * Binds every stack: the first on {@code addresses} (the Listener's resolved local endpoints;
     * empty for a stack that claimed the Preconnection and binds what its endpoints say), the
     * others on the addresses it bound. ready() or a ListenError (E-04) follows.
     */
    public void start(List<InetSocketAddress> addresses) {
        this.requested = List.copyOf(addresses);
        bindFrom(0, requested);
    }

    private void bindFrom(int index, List<InetSocketAddress> addresses) {
        if (index == stacks.size()) {
            this.bound = List.copyOf(addresses);
            readyFuture.complete(this);
            if (isStopping()) {
                closeSockets(() -> { });
            }
            return;
        }
        StackShare share = new StackShare(this, stacks.get(index), spec, addresses, environment);
        shares.add(share);
        share.start().whenComplete((bound, failure) -> {
            if (failure == null) {
                bindFrom(index + 1, index == 0 ? bound : addresses);
                return;
            }
            TransportServicesException error = StackShare.listenError(share.stack(), failure);
            // A later stack's port of the same number is taken: with an ephemeral request, try another number.
            boolean ephemeral = index > 0 && requested.stream().anyMatch(address -> address.getPort() == 0);
            if (ephemeral && portRetries-- > 0) {
                closeSockets(() -> bindFrom(0, requested));
            } else {
                closeSockets(() -> bindFailed(error));
            }
        });
    }

    private void setAccepting(boolean accept) {
        for (StackShare share : shares) {
            share.setAccepting(accept);
        }
    }

    /** Closes every stack's sockets; {@code whenClosed} runs once all are closed. */
    private void closeSockets(Runnable whenClosed) {
        List<StackShare> closing = List.copyOf(shares);
        shares.clear();
        if (closing.isEmpty()) {
            whenClosed.run();
            return;
        }
        java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger(closing.size());
        for (StackShare share : closing) {
            share.close(() -> {
                if (open.decrementAndGet() == 0) {
                    whenClosed.run();
                }
            });
        }
    }

    /** ListenError (E-04): binding failed; the Listener is finished. */
    private void bindFailed(TransportServicesException error) {
        events.emitTerminal(() -> handler.establishmentError(this, error), () -> {
            readyFuture.completeExceptionally(error);
            stoppedFuture.completeExceptionally(error);
        });
    }

    /** Local endpoint resolution failed before anything could be bound (E-04). */
    public void bindFailedByResolution(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        bindFailed(cause instanceof TransportServicesException ? (TransportServicesException) cause
                : new TransportServicesException(ErrorReason.RESOLUTION_FAILED,
                        "cannot resolve the local endpoint: " + cause, cause));
    }

    /**
     * A new established Connection; delivered now or held while the countdown is at 0 or the cap
     * is reached. Called on the connection's event loop, where it also ends, so it cannot end
     * before its end is watched here.
     */
    void offer(TapsConnection connection) {
        boolean deliver = false;
        boolean refuse = false;
        synchronized (this) {
            if (stopping) {
                refuse = true;
            } else if (remaining > 0 && active < concurrencyCap && (acceptQueue == null || acceptQueue.reserve())) {
                take(connection);
                connection.onTerminated(deliveredEnd);
                deliver = true;
            } else {
                connection.onTerminated(heldEnd);
                held.add(connection);
            }
            if (!roomToDeliver()) {
                setAccepting(false);
            }
        }
        if (refuse) {
            connection.abort();
        } else if (deliver) {
            deliver(connection);
        }
    }

    /** Whether one more Connection could be delivered now: the countdown, the cap, the accept queue. */
    private boolean roomToDeliver() {
        return remaining > 0 && active < concurrencyCap && (acceptQueue == null || acceptQueue.hasRoom());
    }

    /** Counts {@code connection} against the countdown and the cap; call holding the lock. */
    private void take(TapsConnection connection) {
        if (remaining != Long.MAX_VALUE) {
            remaining--;
        }
        active++;
    }

    /** An inbound flow failed its handshake and was closed; the handler hears why (RFC 9622 §6.3, §7.2). */
    void rejected(InetSocketAddress remote, TransportServicesException reason) {
        if (isStopping()) {
            return;
        }
        events.emit(() -> handler.connectionRejected(this, remote, reason));
    }

    /** Lets the owning system see every delivered Connection, so that shutting it down closes them. */
    public void trackWith(java.util.function.Consumer<TapsConnection> newTracker) {
        this.tracker = newTracker;
    }

    private void deliver(TapsConnection connection) {
        tracker.accept(connection);
        connection.emitFirst(() -> handler.connectionReceived(connection));
    }

    /** A delivered Connection ended: it gives its slot back. */
    private void deliveredEnded(TapsConnection connection) {
        synchronized (this) {
            active--;
        }
        releaseHeld();
    }

    /**
     * A Connection that was held ended: if still held (the peer closed or reset it, or it idled
     * out, before delivery) it is forgotten, undelivered; if it was delivered in the meantime (its
     * end came before it heard of its new callback), it gives its slot back.
     */
    private void heldEnded(TapsConnection connection) {
        synchronized (this) {
            if (!held.remove(connection)) {
                active--;
            }
        }
        releaseHeld();
    }

    /** LimitReached: a stack's limit dropped a would-be Connection; the handler hears of it (once per stack socket). */
    void limitReached(TransportServicesException notice) {
        events.emit(() -> handler.limitReached(this, notice));
    }

    /** Whether a new remote endpoint may still be turned into a Connection right now. */
    synchronized boolean mayAccept() {
        return !stopping && remaining > 0 && active < concurrencyCap;
    }

    @Override
    public void setNewConnectionLimit(long limit) {
        if (limit < 0) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "newConnectionLimit must be >= 0, was " + limit);
        }
        synchronized (this) {
            remaining = limit;
        }
        releaseHeld();
    }

    private void releaseHeld() {
        while (true) {
            TapsConnection next;
            synchronized (this) {
                if (stopping || held.isEmpty() || !roomToDeliver()) {
                    if (!stopping && roomToDeliver()) {
                        setAccepting(true);
                    }
                    return;
                }
                if (acceptQueue != null) {
                    acceptQueue.reserve();
                }
                next = held.poll();
                take(next);
            }
            TapsConnection delivered = next;
            // On its loop, where it ends: until then its held callback counts it as delivered.
            delivered.runOnLoop(() -> delivered.onTerminated(deliveredEnd));
            deliver(delivered);
        }
    }

    /**
     * AcceptFailed: {@code stack} could not accept an inbound connection (out of file descriptors,
     * say) and retries by itself; raised once per episode, not per failed accept.
     */
    void acceptFailed(ProtocolStack stack, Throwable cause) {
        TransportServicesException error = new TransportServicesException(ErrorReason.ACCEPT_FAILED,
                "cannot accept inbound connections (" + stack.capabilities().name() + " on " + bound + "): "
                        + cause.getMessage() + "; the Listener retries, and clients wait in the listen backlog"
                        + " meanwhile", cause);
        events.emit(() -> handler.acceptFailed(this, error));
    }

    @Override
    public java.util.OptionalInt listenBacklog() {
        if (!readyFuture.isDone() || readyFuture.isCompletedExceptionally()) {
            return java.util.OptionalInt.empty();
        }
        for (StackShare share : shares) {
            java.util.OptionalInt backlog = share.listenBacklog();
            if (backlog.isPresent()) {
                return backlog;
            }
        }
        return java.util.OptionalInt.empty();
    }

    @Override
    public synchronized long newConnectionLimit() {
        return remaining;
    }

    @Override
    public CompletionStage<Connection> accept() {
        if (acceptQueue == null) {
            return CompletableFuture.failedFuture(handlerStyle("accept()"));
        }
        return acceptQueue.accept();
    }

    @Override
    public java.util.concurrent.Flow.Publisher<Connection> connections() {
        if (acceptQueue == null) {
            return subscriber -> {
                subscriber.onSubscribe(new java.util.concurrent.Flow.Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                    }
                });
                subscriber.onError(handlerStyle("connections()"));
            };
        }
        return acceptQueue;
    }

    private static TransportServicesException handlerStyle(String call) {
        return new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, call + " serves a Listener started"
                + " with Preconnection.listen() and no handler; this one delivers its Connections to its"
                + " ListenerEventHandler (ConnectionReceived, RFC 9622 §7.2)");
    }

    @Override
    public CompletionStage<Listener> ready() {
        return readyFuture.minimalCompletionStage();
    }

    @Override
    public List<InetSocketAddress> localAddresses() {
        return bound;
    }

    @Override
    public int port() {
        List<InetSocketAddress> addresses = bound;
        return addresses.isEmpty() ? -1 : addresses.get(0).getPort();
    }

    /** The stacks this Listener listens on, best ranked first, e.g. "QUIC + TLS/TCP". */
    @Override
    public String protocolStack() {
        return String.join(" + ", protocolStacks());
    }

    @Override
    public List<String> protocolStacks() {
        List<String> names = new ArrayList<>();
        for (ProtocolStack stack : stacks) {
            names.add(stack.capabilities().name());
        }
        return names;
    }

    @Override
    public CompletionStage<Void> updateSecurity(SecurityParameters newSecurity) {
        return security.update(newSecurity);
    }

    @Override
    public CompletionStage<Void> stop() {
        List<TapsConnection> undelivered;
        synchronized (this) {
            if (stopping) {
                return stoppedFuture.minimalCompletionStage();
            }
            stopping = true;
            undelivered = List.copyOf(held);
            held.clear();
        }
        // Accepted but never delivered: nobody owns them, so they must not stay open.
        undelivered.forEach(Connection::abort);
        Runnable whenClosed = () -> events.emitTerminal(() -> handler.stopped(this), () -> stoppedFuture.complete(null));
        closeSockets(whenClosed);
        return stoppedFuture.minimalCompletionStage();
    }

    /** Completes when the Listener has stopped (Stopped raised) or failed to bind; it does not stop it. */
    public CompletionStage<Void> stopped() {
        return stoppedFuture.minimalCompletionStage();
    }

    synchronized boolean isStopping() {
        return stopping;
    }

    /**
     * Stops and waits (bounded) for Stopped, except on an event loop or inside one of this
     * Listener's own events: the sockets close on the loops and Stopped is raised after the running
     * event returns, so waiting there would only stall the thread they need (for the full 5 s).
     */
    @Override
    public void close() {
        CompletionStage<Void> stopping = stop();
        if (BlockingWork.onEventLoop() || events.isDispatchingOnThisThread()) {
            return;
        }
        try {
            stopping.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (Exception ignored) {
            // stop() already reported the failure as an event; close() only bounds the wait.
        }
    }

    @Override
    public String toString() {
        return "Listener[" + protocolStack() + " on " + bound + "]";
    }
}

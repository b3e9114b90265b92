package io.taps.internal.listen;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.ListenerEventHandler;
import io.taps.TransportServicesException;
import io.taps.internal.conn.EventDispatcher;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.stack.StackKind;
import io.taps.properties.Limit;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * What every Listener shares (RFC 9622 §7.2, A-11): the new-connection countdown, the
 * concurrent-connection cap ({@code _taps.maxConcurrentConnections}, Q-12), delivery of
 * ConnectionReceived, and the Stopped and ListenError events. A protocol-specific subclass binds
 * sockets and pauses or resumes accepting when asked.
 *
 * <p>When the countdown reaches 0, connections already accepted by the socket are held, not
 * dropped, and delivered as soon as the limit is raised.
 */
public abstract class ListenerCore implements Listener {
    protected final StackKind stack;
    protected final TransportProperties properties;
    protected final ListenerEventHandler handler;
    private final EventDispatcher events;
    private final CompletableFuture<Listener> readyFuture = new CompletableFuture<>();
    private final CompletableFuture<Void> stoppedFuture = new CompletableFuture<>();
    private final ArrayDeque<TapsConnection> held = new ArrayDeque<>();
    private final long concurrencyCap;
    private volatile List<InetSocketAddress> bound = List.of();
    private long remaining = Long.MAX_VALUE;
    private long active;
    private boolean stopping;
    private volatile java.util.function.Consumer<TapsConnection> tracker = connection -> { };
    /** How often an ephemeral bind is retried when the companion's UDP port of the same number is taken. */
    private int companionRetries = 3;
    private List<InetSocketAddress> requested = List.of();
    private QuicSockets companion;
    private boolean quicRanksFirst;

    ListenerCore(StackKind stack, TransportProperties properties, ListenerEventHandler handler, Executor eventExecutor) {
        this.stack = stack;
        this.properties = properties;
        this.handler = handler;
        this.events = new EventDispatcher(eventExecutor);
        Limit cap = properties.get(Property.MAX_CONCURRENT_CONNECTIONS);
        this.concurrencyCap = cap.isUnlimited() ? Long.MAX_VALUE : cap.value();
    }

    /** Binds the resolved local addresses; ready() or a ListenError (E-04) follows. */
    public abstract void bind(List<InetSocketAddress> addresses);

    /** Pauses ({@code false}) or resumes accepting new remote endpoints. */
    protected abstract void setAccepting(boolean accept);

    /** Closes the sockets; {@code whenClosed} runs once they are closed. */
    protected abstract void closeSockets(Runnable whenClosed);

    protected final void bound(List<InetSocketAddress> addresses) {
        if (companion == null) {
            this.bound = List.copyOf(addresses);
            readyFuture.complete(this);
            return;
        }
        companion.bind(addresses).whenComplete((alsoBound, failure) -> {
            if (failure == null) {
                this.bound = List.copyOf(addresses);
                if (isStopping()) {
                    companion.close(() -> { });
                }
                readyFuture.complete(this);
                return;
            }
            // The UDP port of the same number is taken: with an ephemeral port, try another number.
            boolean ephemeral = requested.stream().anyMatch(address -> address.getPort() == 0);
            if (ephemeral && companionRetries-- > 0) {
                closeOwnSockets(() -> bind(requested));
            } else {
                closeOwnSockets(() -> bindFailed((TransportServicesException) failure));
            }
        });
    }

    /**
     * Binds {@code addresses} (the Listener's resolved local endpoints) and, with a companion, the
     * companion's sockets on the same port numbers.
     */
    public final void start(List<InetSocketAddress> addresses) {
        this.requested = List.copyOf(addresses);
        bind(addresses);
    }

    /**
     * Listens with QUIC as well, on UDP ports with the same numbers as this (TLS/TCP) Listener's
     * TCP ports, delivering every QUIC stream through this Listener's countdown and events
     * (design.md: used when selection leaves QUIC and TLS/TCP with identical security, so
     * that a racing client can win with either). Call before {@link #start}.
     */
    public final void listenAlsoWithQuic(io.netty.channel.EventLoopGroup group,
            io.taps.internal.transport.IoTransport transport, io.taps.security.SecurityParameters security,
            List<io.taps.framer.FramerFactory> framers, Executor eventExecutor, boolean quicRanksFirst) {
        this.companion = new QuicSockets(group, transport, security, properties, eventExecutor, framers, this::offer);
        this.quicRanksFirst = quicRanksFirst;
    }

    private void closeOwnSockets(Runnable then) {
        closeSockets(then);
    }

    /** ListenError (E-04): binding failed; the Listener is finished. */
    protected final void bindFailed(TransportServicesException error) {
        events.emitTerminal(() -> handler.establishmentError(this, error), () -> {
            readyFuture.completeExceptionally(error);
            stoppedFuture.completeExceptionally(error);
        });
    }

    /** Local endpoint resolution failed before anything could be bound (E-04). */
    public final void bindFailedByResolution(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        bindFailed(cause instanceof TransportServicesException ? (TransportServicesException) cause
                : new TransportServicesException(ErrorReason.RESOLUTION_FAILED,
                        "cannot resolve the local endpoint: " + cause, cause));
    }

    /** A new established Connection; delivered now or held while the countdown is at 0. */
    protected final void offer(TapsConnection connection) {
        boolean deliver;
        synchronized (this) {
            if (stopping) {
                deliver = false;
            } else if (remaining > 0 && active < concurrencyCap) {
                if (remaining != Long.MAX_VALUE) {
                    remaining--;
                }
                active++;
                deliver = true;
            } else {
                held.add(connection);
                deliver = false;
            }
            if (remaining == 0 || active >= concurrencyCap) {
                setAccepting(false);
            }
        }
        if (stopping && !deliver && !held.contains(connection)) {
            connection.abort();
            return;
        }
        if (deliver) {
            deliver(connection);
        }
    }

    /** Lets the owning system see every delivered Connection, so that shutting it down closes them. */
    public final void trackWith(java.util.function.Consumer<TapsConnection> newTracker) {
        this.tracker = newTracker;
    }

    private void deliver(TapsConnection connection) {
        tracker.accept(connection);
        connection.onTerminated(this::connectionEnded);
        connection.emitFirst(() -> handler.connectionReceived(connection));
    }

    private void connectionEnded() {
        synchronized (this) {
            active--;
        }
        releaseHeld();
    }

    /** Whether a new remote endpoint may still be turned into a Connection right now. */
    protected final synchronized boolean mayAccept() {
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
                if (stopping || held.isEmpty() || remaining == 0 || active >= concurrencyCap) {
                    if (!stopping && remaining > 0 && active < concurrencyCap) {
                        setAccepting(true);
                    }
                    return;
                }
                next = held.poll();
                if (remaining != Long.MAX_VALUE) {
                    remaining--;
                }
                active++;
            }
            deliver(next);
        }
    }

    @Override
    public synchronized long newConnectionLimit() {
        return remaining;
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

    @Override
    public String protocolStack() {
        if (companion == null) {
            return stack.capabilities().name();
        }
        String quic = StackKind.QUIC.capabilities().name();
        return quicRanksFirst ? quic + " + " + stack.capabilities().name() : stack.capabilities().name() + " + " + quic;
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
        closeSockets(companion == null ? whenClosed : () -> companion.close(whenClosed));
        return stoppedFuture.minimalCompletionStage();
    }

    protected final synchronized boolean isStopping() {
        return stopping;
    }

    @Override
    public void close() {
        try {
            stop().toCompletableFuture().get(5, TimeUnit.SECONDS);
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

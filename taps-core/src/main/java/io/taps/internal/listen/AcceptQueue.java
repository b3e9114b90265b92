package io.taps.internal.listen;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.ListenerEventHandler;
import io.taps.TransportServicesException;
import io.taps.internal.flow.DemandPublisher;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The accept style of a Listener ({@code Preconnection.listen()} without a handler): the
 * ConnectionReceived events (RFC 9622 §7.2) of the Listener go into a short queue that
 * {@code Listener.accept()} and the subscriber of {@code Listener.connections()} take from.
 *
 * <p>Bounded: while {@link #DEPTH} Connections wait unclaimed the Listener stops accepting (the
 * clients wait in the kernel's listen backlog), exactly as when its new-connection limit reaches 0;
 * the Listener's own limits (SetNewConnectionLimit, {@code _taps.maxConcurrentConnections}) apply
 * before the queue. A pending accept() is served first, then the subscriber's demand, in arrival
 * order. Stopped fails the pending accept() calls once the queue is empty and completes the
 * publisher; a ListenError fails them both.
 */
public final class AcceptQueue extends DemandPublisher<Connection> implements ListenerEventHandler {
    /** Connections accepted ahead of accept() calls or demand before the Listener pauses accepting. */
    public static final int DEPTH = 16;

    private final ArrayDeque<Connection> ready = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<Connection>> waiters = new ArrayDeque<>();
    /** Connections ListenerCore reserved room for whose ConnectionReceived has not run yet. */
    private int inTransit;
    private Object end;
    private volatile Runnable roomFreed = () -> { };

    public AcceptQueue() {
        super("the Connections of a Listener");
    }

    /** Set by the Listener: called (outside any lock) when a claimed Connection makes room. */
    void onRoomFreed(Runnable action) {
        this.roomFreed = action;
    }

    /** Whether one more Connection may be delivered into the queue; reserves its place if so. */
    synchronized boolean reserve() {
        if (ready.size() + inTransit >= DEPTH) {
            return false;
        }
        inTransit++;
        return true;
    }

    /** Whether the queue has room, for the Listener's decision to keep accepting. */
    synchronized boolean hasRoom() {
        return ready.size() + inTransit < DEPTH;
    }

    /** Accept: the oldest unclaimed Connection, or the next one the Listener receives. */
    public CompletionStage<Connection> accept() {
        CompletableFuture<Connection> claim = new CompletableFuture<>();
        Connection waiting;
        TransportServicesException over = null;
        synchronized (this) {
            waiting = ready.poll();
            if (waiting == null) {
                if (end != null) {
                    over = ended();
                } else {
                    waiters.add(claim);
                }
            }
        }
        if (over != null) {
            claim.completeExceptionally(over);
        } else if (waiting != null) {
            claim.complete(waiting);
            roomFreed.run();
        }
        return claim;
    }

    @Override
    public void connectionReceived(Connection connection) {
        synchronized (this) {
            inTransit--;
        }
        hand(connection);
    }

    /** To the oldest accept() still waiting (a cancelled one is skipped), else into the queue. */
    private void hand(Connection connection) {
        while (true) {
            CompletableFuture<Connection> waiter;
            synchronized (this) {
                waiter = waiters.poll();
                if (waiter == null) {
                    ready.add(connection);
                    break;
                }
            }
            if (waiter.complete(connection)) {
                return;
            }
        }
        signal();
    }

    @Override
    public void establishmentError(Listener listener, TransportServicesException error) {
        finish(error);
    }

    @Override
    public void stopped(Listener listener) {
        finish(COMPLETE);
    }

    private void finish(Object terminal) {
        ArrayDeque<CompletableFuture<Connection>> failed;
        synchronized (this) {
            end = terminal;
            failed = new ArrayDeque<>(waiters);
            waiters.clear();
        }
        TransportServicesException error = ended();
        failed.forEach(waiter -> waiter.completeExceptionally(error));
        signal();
    }

    private synchronized TransportServicesException ended() {
        return end instanceof TransportServicesException ? (TransportServicesException) end
                : new TransportServicesException(ErrorReason.CONNECTION_CLOSED,
                        "the Listener stopped; it delivers no further Connections");
    }

    @Override
    protected boolean hasItem() {
        return !ready.isEmpty();
    }

    @Override
    protected Connection takeItem() {
        return ready.poll();
    }

    @Override
    protected Object terminal() {
        return end;
    }

    @Override
    protected Runnable fetch() {
        // Nothing to start: the Listener accepts while the queue has room, and a Connection it
        // receives signals the subscriber.
        return null;
    }

    @Override
    protected void taken() {
        roomFreed.run();
    }
}

package io.taps.spring.listener;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Serves one accepted Connection of a {@link RunningTapsListener}: one Receive outstanding at a
 * time (RFC 9622 §9.3.1), so Messages are handled strictly in order and the next Receive is issued
 * only after the handler finished and its reply was Sent; taps' receive backpressure then applies.
 * Its state is touched from the event loop and the handler executor, hence the monitor (one
 * uncontended lock per Message, outside taps-core's hot path).
 */
final class ServedConnection implements ConnectionEventHandler {
    private final RunningTapsListener owner;
    private final Connection connection;
    private boolean handling;
    private boolean draining;
    private boolean closeIssued;
    // The received callbacks have not run yet; closed work waits for them.
    private boolean starting = true;
    private @Nullable Runnable closedWork;
    // Complete Messages taps delivered to this handler; compared with the Connection's
    // messagesReceived to find Messages received (pipelined) but not yet handed over.
    private long delivered;

    ServedConnection(RunningTapsListener owner, Connection connection) {
        this.owner = owner;
        this.connection = connection;
    }

    Connection connection() {
        return this.connection;
    }

    void receiveNext() {
        this.connection.receive();
    }

    /**
     * The received callbacks ran: issue the first Receive, or, if the Connection closed meanwhile,
     * run the closed work that waited for them.
     */
    void started() {
        Runnable work;
        synchronized (this) {
            this.starting = false;
            work = this.closedWork;
            this.closedWork = null;
        }
        if (work != null) {
            work.run();
        }
        else {
            receiveNext();
        }
    }

    /**
     * Runs {@code work} (the closed callbacks) once the received callbacks and the Message in hand
     * are done, so that per Connection the closed callbacks come last even on a pool executor.
     */
    void whenIdle(Runnable work) {
        synchronized (this) {
            if (this.starting || this.handling) {
                this.closedWork = work;
                return;
            }
        }
        work.run();
    }

    @Override
    public void received(Connection from, Message message) {
        synchronized (this) {
            this.delivered++;
        }
        deliver(message);
    }

    @Override
    public void receivedPartial(Connection from, Message message) {
        deliver(message);
    }

    private void deliver(Message message) {
        if (message.length() == 0 && message.context().isFinal()) {
            // The peer ended its side (FIN) without further data: nothing to handle, end ours.
            this.connection.close();
            return;
        }
        synchronized (this) {
            if (this.draining && !this.handling && this.closeIssued) {
                // Delivered to the Receive that was outstanding when shutdown closed this idle
                // Connection: too late to answer, but never dropped silently.
                this.owner.unhandledAtShutdown(this.connection, 1);
                return;
            }
            this.handling = true;
        }
        this.owner.executor().execute(() -> handle(message));
    }

    private void handle(Message message) {
        long start = System.nanoTime();
        ListenerBinding binding = this.owner.binding();
        binding.figures().started();
        for (TapsListenerObserver observer : this.owner.observers()) {
            try {
                observer.messageHandlingStarted(this.owner, this.connection, message);
            }
            catch (RuntimeException ex) {
                this.owner.observerFailed("messageHandlingStarted", observer, ex);
            }
        }
        CompletionStage<Void> result;
        try {
            result = binding.replies().send(this.connection, binding.invoker().invoke(this.connection, message));
        }
        catch (Throwable ex) {
            result = CompletableFuture.failedFuture(ex);
        }
        for (TapsListenerObserver observer : this.owner.observers()) {
            try {
                observer.messageHandlerReturned(this.owner, this.connection, message);
            }
            catch (RuntimeException ex) {
                this.owner.observerFailed("messageHandlerReturned", observer, ex);
            }
        }
        result.whenComplete((ignored, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
                        : error;
                // On the handler executor: a failed Send or an asynchronous result completes on an
                // event loop or a foreign thread, and the exception and error handlers are user code.
                this.owner.executor().execute(() -> this.owner.handleError(this.connection, message, cause)
                        .thenAccept(action -> finished(message, start, cause, action)));
            }
            else {
                finished(message, start, null, TapsErrorAction.KEEP_OPEN);
            }
        });
    }

    private void finished(Message message, long start, @Nullable Throwable error, TapsErrorAction action) {
        long nanos = System.nanoTime() - start;
        this.owner.binding().figures().finished(error != null);
        for (TapsListenerObserver observer : this.owner.observers()) {
            try {
                observer.messageHandled(this.owner, this.connection, message, nanos, error);
            }
            catch (RuntimeException ex) {
                this.owner.observerFailed("messageHandled", observer, ex);
            }
        }
        boolean close;
        Runnable work;
        synchronized (this) {
            this.handling = false;
            close = this.draining || message.context().isFinal();
            work = this.closedWork;
            this.closedWork = null;
        }
        if (work != null) {
            // Closed while this Message was in hand: nothing more to receive, its closed callbacks now.
            work.run();
        }
        else if (action == TapsErrorAction.ABORT) {
            abortNow();
        }
        else if (action == TapsErrorAction.CLOSE) {
            closeNow();
        }
        else if (close && !message.context().isFinal() && pipelined() > 0) {
            // Shutting down, but the peer's next Messages are already received: answer them too.
            receiveNext();
        }
        else if (close) {
            closeNow();
        }
        else {
            receiveNext();
        }
    }

    /** Shutdown began: close now when idle, else after the Message in hand is answered. */
    void drain() {
        boolean idle;
        synchronized (this) {
            this.draining = true;
            idle = !this.handling;
        }
        if (idle) {
            closeNow();
        }
    }

    private void closeNow() {
        synchronized (this) {
            this.closeIssued = true;
        }
        this.connection.close();
    }

    private void abortNow() {
        synchronized (this) {
            this.closeIssued = true;
        }
        this.connection.abort();
    }

    /** Messages taps received on this Connection that were not delivered to the handler yet. */
    private long pipelined() {
        long received = this.connection.transferReport().messagesReceived();
        synchronized (this) {
            return received - this.delivered;
        }
    }

    @Override
    public void receiveError(Connection from, MessageContext context, TransportServicesException error) {
        // A Receive after the end of the stream; the Connection is closing anyway.
        this.connection.close();
    }

    @Override
    public void closed(Connection from) {
        reportUnhandled();
        this.owner.closed(this, null);
    }

    private void reportUnhandled() {
        boolean draining;
        synchronized (this) {
            draining = this.draining;
        }
        long unhandled = draining ? pipelined() : 0;
        if (unhandled > 0) {
            this.owner.unhandledAtShutdown(this.connection, unhandled);
        }
    }

    @Override
    public void connectionError(Connection from, TransportServicesException error) {
        this.owner.closed(this, error);
    }
}

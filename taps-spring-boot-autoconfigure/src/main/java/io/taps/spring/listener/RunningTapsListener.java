package io.taps.spring.listener;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.ListenerEventHandler;
import io.taps.Message;
import io.taps.TransportServicesException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * A started {@link TapsListener} endpoint: the core {@link Listener} (RFC 9622 §7.2) with its id,
 * profile, bound addresses and the Connections it accepted that are still open. The
 * {@link TapsListenerRegistry} creates it; the accessors are safe from any thread.
 */
public final class RunningTapsListener {
    private static final Log logger = LogFactory.getLog(RunningTapsListener.class);
    private final TapsListenerEndpoint endpoint;
    private final Executor executor;
    private final ListenerBinding binding;
    private final List<TapsListenerObserver> observers;
    private final List<HandlerMethod> receivedCallbacks;
    private final List<HandlerMethod> closedCallbacks;
    private final Set<ServedConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<ErrorReason> rejectionReasonsLogged = ConcurrentHashMap.newKeySet();
    private volatile @Nullable Listener listener;
    private final AtomicReference<@Nullable Runnable> drained = new AtomicReference<>();
    private volatile boolean stopping;

    RunningTapsListener(TapsListenerEndpoint endpoint, Executor executor, ListenerBinding binding,
            List<TapsListenerObserver> observers, List<HandlerMethod> receivedCallbacks,
            List<HandlerMethod> closedCallbacks) {
        this.endpoint = endpoint;
        this.executor = executor;
        this.binding = binding;
        this.observers = observers;
        this.receivedCallbacks = receivedCallbacks;
        this.closedCallbacks = closedCallbacks;
    }

    /** The listener id. */
    public String id() {
        return this.endpoint.id();
    }

    /** The property profile name. */
    public String profile() {
        return this.endpoint.profile();
    }

    /** The endpoint this listener serves. */
    public TapsListenerEndpoint endpoint() {
        return this.endpoint;
    }

    /** The core Listener. */
    public Listener listener() {
        Listener current = this.listener;
        if (current == null) {
            throw new IllegalStateException("taps listener '" + id() + "' is not started");
        }
        return current;
    }

    /** The bound local addresses. */
    public List<InetSocketAddress> localAddresses() {
        return listener().localAddresses();
    }

    /** The bound port. */
    public int port() {
        return listener().port();
    }

    /** The protocol stack the Listener chose, for example {@code TCP}. */
    public String protocolStack() {
        return listener().protocolStack();
    }

    /** The accepted Connections that are still open. */
    public List<Connection> connections() {
        return this.connections.stream().map(ServedConnection::connection).toList();
    }

    /** How many accepted Connections are still open. */
    public int activeConnections() {
        return this.connections.size();
    }

    /** What the handler did: Messages in flight, handled and failed, and the last error (kept across restarts). */
    public ListenerHandlerFigures handlerFigures() {
        return this.binding.figures();
    }

    @Override
    public String toString() {
        Listener current = this.listener;
        return "RunningTapsListener[id=" + id() + ", profile=" + profile() + ", addresses="
                + (current == null ? "[]" : current.localAddresses()) + ", connections=" + this.connections.size() + "]";
    }

    // ------------------------------------------------------------------ package-private machinery

    void started(Listener started) {
        this.listener = started;
    }

    ListenerEventHandler eventHandler() {
        return new ListenerEventHandler() {
            @Override
            public void connectionReceived(Connection connection) {
                accept(connection);
            }

            @Override
            public void establishmentError(Listener failed, TransportServicesException error) {
                // Bind failures surface through Listener.ready(); later ones are per-connection.
            }

            @Override
            public void connectionRejected(Listener rejecting, @Nullable InetSocketAddress remote,
                    TransportServicesException reason) {
                rejected(remote, reason);
            }

            @Override
            public void limitReached(Listener limited, TransportServicesException notice) {
                RunningTapsListener.this.limitReached(notice);
            }

            @Override
            public void acceptFailed(Listener failing, TransportServicesException error) {
                RunningTapsListener.this.acceptFailed(error);
            }
        };
    }

    /**
     * A client failed its handshake. A client flood (a scanner, a fleet with an expired
     * certificate) must not flood the log: the first rejection of each error reason is logged at
     * INFO, every later one at DEBUG; the meter counts them all.
     */
    void rejected(@Nullable InetSocketAddress remote, TransportServicesException reason) {
        String text = "taps listener '" + id() + "' rejected an inbound connection from "
                + (remote == null ? "an unknown peer" : remote.toString()) + ": " + reason.getMessage();
        if (this.rejectionReasonsLogged.add(reason.reason())) {
            logger.info(text + " (further rejections with reason " + reason.reason().rfcName()
                    + " are logged at DEBUG)");
        }
        else if (logger.isDebugEnabled()) {
            logger.debug(text);
        }
        for (TapsListenerObserver observer : this.observers) {
            try {
                observer.connectionRejected(this, remote, reason);
            }
            catch (RuntimeException ex) {
                observerFailed("connectionRejected", observer, ex);
            }
        }
    }

    /**
     * A limit of the Listener drops would-be Connections; raised once per socket. taps-core already
     * logs it at WARN where it happens (core users have no Spring), so one WARN line reaches the log;
     * this adds only the Spring key to raise, at DEBUG.
     */
    void limitReached(TransportServicesException notice) {
        if (logger.isDebugEnabled()) {
            logger.debug("taps listener '" + id() + "' reached a limit: " + notice.getMessage()
                    + " (property taps.profiles." + profile() + ".connection.taps.max-concurrent-connections)");
        }
        for (TapsListenerObserver observer : this.observers) {
            try {
                observer.limitReached(this, notice);
            }
            catch (RuntimeException ex) {
                observerFailed("limitReached", observer, ex);
            }
        }
    }

    /**
     * The Listener cannot accept (out of file descriptors, say): clients wait in the backlog until
     * it recovers. Raised once per episode and needs an operator, hence ERROR.
     */
    void acceptFailed(TransportServicesException error) {
        logger.error("taps listener '" + id() + "' cannot accept inbound connections and retries: "
                + error.getMessage(), error);
        for (TapsListenerObserver observer : this.observers) {
            try {
                observer.acceptFailed(this, error);
            }
            catch (RuntimeException ex) {
                observerFailed("acceptFailed", observer, ex);
            }
        }
    }

    private void accept(Connection connection) {
        ServedConnection served = new ServedConnection(this, connection);
        this.connections.add(served);
        connection.setEventHandler(served);
        for (TapsListenerObserver observer : this.observers) {
            try {
                observer.connectionReceived(this, connection);
            }
            catch (RuntimeException ex) {
                observerFailed("connectionReceived", observer, ex);
            }
        }
        this.executor.execute(() -> {
            for (HandlerMethod callback : this.receivedCallbacks) {
                runCallback(callback, connection, null);
            }
            served.started();
        });
    }

    void closed(ServedConnection served, @Nullable Throwable error) {
        if (!this.connections.remove(served)) {
            return;
        }
        Connection connection = served.connection();
        for (TapsListenerObserver observer : this.observers) {
            try {
                observer.connectionClosed(this, connection, error);
            }
            catch (RuntimeException ex) {
                observerFailed("connectionClosed", observer, ex);
            }
        }
        if (!this.closedCallbacks.isEmpty()) {
            served.whenIdle(() -> this.executor.execute(() -> {
                for (HandlerMethod callback : this.closedCallbacks) {
                    runCallback(callback, connection, error);
                }
            }));
        }
        checkDrained();
    }

    private void runCallback(HandlerMethod callback, Connection connection, @Nullable Throwable error) {
        try {
            callback.invokeCallback(connection, error);
        }
        catch (Throwable ex) {
            reportError(connection, null, ex);
        }
    }

    /**
     * Hands {@code error} to the error handler, with the Message's context current (see
     * {@link TapsListenerObserver#errorHandlingStarted}). An error handler that throws must not end
     * the serving of the Connection (its next Receive or its close would never be issued), so its
     * own failure is logged and dropped.
     */
    void reportError(Connection connection, @Nullable Message message, Throwable error) {
        this.binding.figures().error(error);
        errorHandlingStarted(connection, message, error);
        try {
            callErrorHandler(connection, message, error);
        }
        finally {
            errorHandlingFinished(connection, message);
        }
    }

    private void callErrorHandler(Connection connection, @Nullable Message message, Throwable error) {
        try {
            this.binding.errors().errorHandler().handleError(id(), connection, message, error);
        }
        catch (Throwable handlerFailure) {
            handlerFailure.addSuppressed(error);
            logger.error("the TapsListenerErrorHandler of taps listener '" + id() + "' threw", handlerFailure);
        }
    }

    /**
     * Handles the error raised while {@code message} was handled: the first matching
     * {@link TapsExceptionHandler} method answers it (its reply Sent) and says what happens to the
     * Connection; else the error handler gets it and the Connection stays open. An exception
     * handler that throws, or whose reply fails, is reported to the error handler. Completes with
     * the action; never exceptionally.
     */
    CompletionStage<TapsErrorAction> handleError(Connection connection, Message message, Throwable error) {
        ExceptionHandlerMethods.Match match = this.binding.errors().find(error);
        if (match == null) {
            reportError(connection, message, error);
            return CompletableFuture.completedFuture(TapsErrorAction.KEEP_OPEN);
        }
        this.binding.figures().error(error);
        CompletionStage<TapsErrorAction> answered;
        errorHandlingStarted(connection, message, error);
        try {
            answered = ListenerErrors.runExceptionHandler(match, connection, message, this.binding.replies());
        }
        catch (Throwable handlerFailure) {
            handlerFailure.addSuppressed(error);
            callErrorHandler(connection, message, handlerFailure);
            return CompletableFuture.completedFuture(TapsErrorAction.KEEP_OPEN);
        }
        finally {
            errorHandlingFinished(connection, message);
        }
        CompletableFuture<TapsErrorAction> done = new CompletableFuture<>();
        answered.whenComplete((action, replyFailure) -> {
            if (replyFailure == null) {
                done.complete(action);
                return;
            }
            Throwable cause = replyFailure instanceof CompletionException && replyFailure.getCause() != null
                    ? replyFailure.getCause() : replyFailure;
            cause.addSuppressed(error);
            // A failed Send completes on an event loop; the error handler is user code.
            this.executor.execute(() -> {
                try {
                    reportError(connection, message, cause);
                }
                finally {
                    done.complete(TapsErrorAction.KEEP_OPEN);
                }
            });
        });
        return done;
    }

    private void errorHandlingStarted(Connection connection, @Nullable Message message, Throwable error) {
        for (TapsListenerObserver observer : this.observers) {
            try {
                observer.errorHandlingStarted(this, connection, message, error);
            }
            catch (RuntimeException ex) {
                observerFailed("errorHandlingStarted", observer, ex);
            }
        }
    }

    private void errorHandlingFinished(Connection connection, @Nullable Message message) {
        for (int i = this.observers.size() - 1; i >= 0; i--) {
            TapsListenerObserver observer = this.observers.get(i);
            try {
                observer.errorHandlingFinished(this, connection, message);
            }
            catch (RuntimeException ex) {
                observerFailed("errorHandlingFinished", observer, ex);
            }
        }
    }

    ListenerBinding binding() {
        return this.binding;
    }

    /**
     * An observer broke its contract and threw. Dropped with a log line: letting it propagate
     * would skip the rest of the bookkeeping (the first Receive, the next Receive, the drained
     * check of a graceful stop) and strand the Connection.
     */
    void observerFailed(String event, TapsListenerObserver observer, RuntimeException failure) {
        logger.warn("TapsListenerObserver " + observer + " threw from " + event + " of taps listener '" + id()
                + "'", failure);
    }

    /**
     * Graceful shutdown closed {@code connection} with {@code count} Messages taps had received
     * but the handler never saw (the peer pipelined them behind the last one answered): reported,
     * as a warning and to the error handler, never dropped silently.
     */
    void unhandledAtShutdown(Connection connection, long count) {
        String text = "taps listener '" + id() + "' closed a connection from "
                + connection.remoteEndpoint().map(Object::toString).orElse("an unknown peer")
                + " during graceful shutdown with " + count + " received message(s) not handled";
        logger.warn(text);
        reportError(connection, null, new UnhandledAtShutdownException(text, count));
    }

    Executor executor() {
        return this.executor;
    }

    List<TapsListenerObserver> observers() {
        return this.observers;
    }

    /**
     * Graceful stop: stop accepting, let every Connection finish the Message it is handling and
     * send its reply, then close it; {@code done} runs once every Connection has closed.
     */
    void stopGracefully(Runnable done) {
        this.stopping = true;
        Listener current = this.listener;
        this.drained.set(done);
        if (current == null) {
            checkDrained();
            return;
        }
        current.stop().whenComplete((ignored, error) -> {
            for (ServedConnection served : this.connections) {
                served.drain();
            }
            checkDrained();
        });
    }

    private void checkDrained() {
        if (this.connections.isEmpty()) {
            // Closed events and the stop completion may race here; only one of them runs done.
            Runnable done = this.drained.getAndSet(null);
            if (done != null) {
                done.run();
            }
        }
    }

    /** Whether a graceful stop began: the Listener accepts no more Connections. */
    boolean stopping() {
        return this.stopping;
    }

    /** Immediate stop: abort what is still open and close the Listener. */
    void abort() {
        for (ServedConnection served : this.connections) {
            served.connection().abort();
        }
        Listener current = this.listener;
        if (current != null) {
            current.close();
        }
    }
}

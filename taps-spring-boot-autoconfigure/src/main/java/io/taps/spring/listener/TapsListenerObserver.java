package io.taps.spring.listener;

import io.taps.Connection;
import io.taps.Message;
import io.taps.TransportServicesException;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Observes what {@link TapsListener} endpoints do, for metrics and tracing: every bean of this
 * type is called, in order, on the thread that handles the Connection. Every method has an empty
 * default and must be cheap and must not throw.
 */
public interface TapsListenerObserver {

    /** A Connection was accepted by {@code listener} (ConnectionReceived, RFC 9622 §7.2). */
    default void connectionReceived(RunningTapsListener listener, Connection connection) {
    }

    /** A Connection of {@code listener} ended; {@code error} is null after a graceful close. */
    default void connectionClosed(RunningTapsListener listener, Connection connection, @Nullable Throwable error) {
    }

    /**
     * The handler of {@code listener} is about to handle {@code message}, on the thread that runs
     * it; {@link #messageHandled} follows exactly once.
     */
    default void messageHandlingStarted(RunningTapsListener listener, Connection connection, Message message) {
    }

    /**
     * The handler method of {@code listener} returned (or threw) for {@code message}, on the thread
     * that ran it and that {@link #messageHandlingStarted} was called on: the place to end what is
     * bound to that thread, such as an Observation scope. {@link #messageHandled} follows once the
     * reply, if any, was Sent or an asynchronous result completed.
     */
    default void messageHandlerReturned(RunningTapsListener listener, Connection connection, Message message) {
    }

    /**
     * The handler of {@code listener} finished {@code message} after {@code nanos} nanoseconds,
     * including the reply's Sent; {@code error} is the handler's or the send's exception, else null.
     */
    default void messageHandled(RunningTapsListener listener, Connection connection, Message message, long nanos,
            @Nullable Throwable error) {
    }

    /**
     * An error of {@code listener} is about to go to its {@link TapsExceptionHandler} methods or
     * {@link TapsListenerErrorHandler}, on the thread that runs them; {@link #errorHandlingFinished}
     * follows on the same thread. {@code message} is the Message being handled (its
     * {@link #messageHandled} comes later), or null for a connection callback's error. The place to
     * make the Message's context (an Observation scope, hence the trace id in the log) current while
     * the error is handled.
     */
    default void errorHandlingStarted(RunningTapsListener listener, Connection connection, @Nullable Message message,
            Throwable error) {
    }

    /** The error handling announced by {@link #errorHandlingStarted} returned (or threw). */
    default void errorHandlingFinished(RunningTapsListener listener, Connection connection,
            @Nullable Message message) {
    }

    /**
     * An inbound connection to {@code listener} was refused before it became a Connection: its
     * security handshake failed (RFC 9622 §6.3, §7.2), for example no or an untrusted client
     * certificate where client authentication is required, no ALPN protocol in common, or the
     * handshake timed out. Called on the thread that delivers the Listener's events, once per refused
     * client.
     *
     * @param remote the client's address, or {@code null} when it is no longer known
     */
    default void connectionRejected(RunningTapsListener listener, @Nullable InetSocketAddress remote,
            TransportServicesException reason) {
    }

    /**
     * A limit of {@code listener} is turning would-be Connections away (the core's LimitReached,
     * a taps extension): a UDP Listener has Connections for {@code _taps.maxConcurrentConnections}
     * remotes and drops datagrams from further ones. Called once per listening socket and episode,
     * not per dropped datagram.
     */
    default void limitReached(RunningTapsListener listener, TransportServicesException notice) {
    }

    /**
     * {@code listener} cannot accept inbound connections, typically because the process is out of
     * file descriptors (the core's AcceptFailed, a taps extension); it keeps listening and retries.
     * Called once per episode.
     */
    default void acceptFailed(RunningTapsListener listener, TransportServicesException error) {
    }
}

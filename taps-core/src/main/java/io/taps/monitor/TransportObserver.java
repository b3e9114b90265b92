package io.taps.monitor;

import io.taps.Connection;
import io.taps.TransportServices;
import io.taps.Listener;
import io.taps.ErrorReason;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A hook that sees what a {@link TransportServices} does, so that metrics and traces can be
 * recorded without wrapping application handlers: establishments, accepted and closed
 * Connections, Messages sent and received, and errors.
 *
 * <p>Not part of the RFC 9622 API: RFC 9623 §4.1–§4.3 and §6 leave statistics to the
 * implementation, and this is where taps offers them. Registered with
 * {@link TransportServices.Builder#observer(TransportObserver)}; every method has a no-op default.
 *
 * <p>Methods are called on the Connection's event loop or the thread that completes an
 * operation; they must be quick, must not block and should not throw (a thrown exception is
 * logged and ignored). When no observer is registered, nothing is called and nothing is
 * allocated on the message paths.
 */
public interface TransportObserver {

    /** The observer that does nothing: the default. */
    TransportObserver NONE = new TransportObserver() {
    };

    /** Where an error was reported. */
    enum ErrorKind {
        /** EstablishmentError (RFC 9622 §7.1, E-02). */
        ESTABLISHMENT,
        /** ConnectionError after Ready (§10, E-18). */
        CONNECTION,
        /** SendError (§9.2.2.3). */
        SEND,
        /** ReceiveError (§9.3.2.3). */
        RECEIVE
    }

    /**
     * Initiate (§7.1) was called; candidate gathering and racing start. Also called, within
     * {@code Connection.clone()}, for each clone (§7.4): a clone is reported like an initiated
     * Connection (its establishment, messages, errors and Closed), and
     * {@link Connection#group()} names the group it joined. On TCP and TLS its establishment is a
     * new connection to the original's peer; on QUIC a new stream of the same QUIC connection.
     */
    default void establishmentStarted(Connection connection) {
    }

    /** An Initiate ended: Ready or EstablishmentError, with the racing summary. */
    default void establishmentFinished(Connection connection, EstablishmentResult result) {
    }

    /** A Listener delivered a new Connection (ConnectionReceived, §7.2). */
    default void connectionReceived(Listener listener, Connection connection) {
    }

    /**
     * A Connection that was Ready (initiated or accepted) reached Closed; {@code error} is the
     * reason of its ConnectionError, empty after a graceful Closed.
     */
    default void connectionClosed(Connection connection, Optional<ErrorReason> error) {
    }

    /** A Send completed (Sent, §9.2.2.1) with {@code bytes} of data. */
    default void messageSent(Connection connection, int bytes) {
    }

    /**
     * A Received or ReceivedPartial event (§9.3.2) delivered {@code bytes} of data;
     * {@code endOfMessage} is false for a part.
     */
    default void messageReceived(Connection connection, int bytes, boolean endOfMessage) {
    }

    /**
     * The peer ended its sending direction (a TCP FIN, the end of a QUIC stream) and the
     * application received the empty final Message that marks it (§9.3.2.1 with the Final
     * property, RFC 9623 §10.1). Reported here instead of {@link #messageReceived}: it carries no
     * data and is not a Message the peer sent. When the FIN arrives together with the last bytes,
     * they are one {@code messageReceived} and this is not called.
     */
    default void endOfStreamReceived(Connection connection) {
    }

    /** An error event of the given kind. */
    default void error(Connection connection, ErrorKind kind, ErrorReason reason) {
    }

    /**
     * PathChange (RFC 9622 §8.3.2, E-10) was raised on {@code connection}: the path monitor saw an
     * interface of its local address change. Called once per event, like the handler's
     * {@code pathChange}.
     */
    default void pathChange(Connection connection) {
    }
}

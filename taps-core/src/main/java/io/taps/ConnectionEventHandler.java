package io.taps;

/**
 * Receives the events of a {@link Connection} (RFC 9622 §7–§10, checklist E-01..E-18).
 *
 * <p>Every method has an empty default, so an application overrides only what it needs (E-22);
 * ignoring errors is rarely safe, and the {@link Connection}'s completion stages report them too.
 * taps delivers events one at a time, in RFC 9622 §11 order (E-21): nothing before Ready but
 * EstablishmentError, Sent events in send order, and nothing at all after Closed,
 * ConnectionError or EstablishmentError. Handlers run on the connection's event loop (or on the
 * executor given to {@link TransportServices.Builder#eventExecutor}) and must not block.
 */
public interface ConnectionEventHandler {

    /** Ready (§7.1, E-01): the whole protocol stack is established. */
    default void ready(Connection connection) {
    }

    /**
     * RendezvousDone (RFC 9622 §7.3, E-06): a {@link Preconnection#rendezvous Rendezvous} found a
     * working candidate pair with its peer and the Connection is established; raised instead of
     * Ready for such a Connection. {@link Connection#establishmentReport()} shows every candidate
     * pair checked and the one nominated. A failed Rendezvous raises
     * {@link #establishmentError EstablishmentError} (§7.3, E-07).
     */
    default void rendezvousDone(Connection connection) {
    }

    /** EstablishmentError (§7.1, E-02): the connection could not be established; it is now Closed. */
    default void establishmentError(Connection connection, TransportServicesException error) {
    }

    /** ConnectionError (§10, E-18): the connection failed or was aborted; it is now Closed. */
    default void connectionError(Connection connection, TransportServicesException error) {
    }

    /** Closed (§10, E-17): the connection closed gracefully. */
    default void closed(Connection connection) {
    }

    /** Sent (§9.2.2.1, E-11): the Message was handed to the protocol stack. */
    default void sent(Connection connection, MessageContext context) {
    }

    /** Expired (§9.2.2.2, E-12): the Message's lifetime ended while it was still queued. */
    default void expired(Connection connection, MessageContext context) {
    }

    /** SendError (§9.2.2.3, E-13): the Message could not be sent. */
    default void sendError(Connection connection, MessageContext context, TransportServicesException error) {
    }

    /** Received (§9.3.2.1, E-14): a complete Message. */
    default void received(Connection connection, Message message) {
    }

    /**
     * ReceivedPartial (§9.3.2.2, E-15): part of a Message; {@link Message#endOfMessage()} tells
     * whether it is the last part.
     */
    default void receivedPartial(Connection connection, Message message) {
    }

    /** ReceiveError (§9.3.2.3, E-16): data for a Receive could not be delivered. */
    default void receiveError(Connection connection, MessageContext context, TransportServicesException error) {
    }

    /** SoftError (§8.3.1, E-09): for example an ICMP error; delivery is best effort. */
    default void softError(Connection connection, TransportServicesException error) {
    }

    /** PathChange (§8.3.2, E-10): the path or the local endpoints of the connection changed. */
    default void pathChange(Connection connection) {
    }

    /**
     * CloneError (RFC 9622 §7.4, E-08): a Clone of this Connection failed, for example because its
     * stack cannot be cloned, {@code groupConnLimit} is reached or the new transport connection
     * could not be opened. {@code connection} is the Connection whose Clone was called; the clone
     * itself raises EstablishmentError with the same reason.
     */
    default void cloneError(Connection connection, TransportServicesException error) {
    }
}

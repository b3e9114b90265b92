package io.taps;

import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.TransferReport;

import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.FramerFactory;
import io.taps.properties.ConnectionProperties;
import io.taps.properties.ConnectionState;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.properties.MessageProperties;
import io.taps.security.SecurityOutcome;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A Connection: a flow of Messages between a local and a remote endpoint over one established
 * protocol stack (RFC 9622 §3, §7–§10; checklist O-05).
 *
 * <p>All operations are asynchronous and may be called from any thread. Each outcome arrives both
 * as an event to the {@link ConnectionEventHandler} and as the completion of the returned
 * {@link CompletionStage}; an operation that can no longer produce an event (the connection is
 * already Closed) fails its stage with a {@link TransportServicesException} and emits nothing.
 * Configuration errors detectable at once (an unknown property name, a read-only property) are
 * thrown synchronously (RFC 9622 Appendix A.2).
 *
 * <p><b>Streams and backpressure</b> (docs/streams.md). Besides the RFC 9622 actions, which stay the
 * primary API, a Connection offers thin conveniences built only on them: {@link #messages()} (the
 * received Messages as a {@link Flow.Publisher}, demand driving Receive), {@link #sendAll} and
 * {@link #sendFrom(ReadableByteChannel)} (Send paced by Sent events within a bounded window),
 * {@link #sendFinal()} (half-close), {@link #receiveAll(int)} and {@link #receiveTo} (read to the
 * peer's end of stream, which {@link Message#endOfStream()} signals).
 *
 * <p><b>Timeouts</b>, each covering one thing: the {@code timeout} of
 * {@code Preconnection.initiate(Duration, handler)} bounds establishment only (EstablishmentError
 * Timeout; nothing once Ready); {@code connTimeout} (RFC 9622 §8.1.3) bounds how long sent data may
 * stay unacknowledged before the Connection fails (TCP_USER_TIMEOUT), and without an Initiate
 * timeout it also bounds establishment; {@code _taps.closeTimeout} (default 5 s) bounds how long
 * {@link #close()} waits for the peer's end of stream; {@code _taps.idleTimeout} ends a Connection
 * that sends and receives nothing for that long (Disabled for initiated Connections, 5 minutes for
 * accepted ones).
 */
public interface Connection {

    /** Completes with this Connection when it is Ready, or exceptionally on EstablishmentError. */
    CompletionStage<Connection> ready();

    /**
     * Completes when the Connection reaches Closed: normally after Closed, exceptionally with the
     * error of a ConnectionError or EstablishmentError.
     */
    CompletionStage<Void> closed();

    /**
     * Sets the handler for this Connection's events. Events that were already delivered are not
     * replayed; to miss none, pass the handler to {@code Preconnection.initiate(handler)} or set
     * it inside {@link ListenerEventHandler#connectionReceived}.
     */
    void setEventHandler(ConnectionEventHandler handler);

    /** Send (§9.2, A-18): sends a complete Message with its own context; completes on Sent. */
    CompletionStage<MessageContext> send(Message message);

    /**
     * Send (RFC 9622 §9.2) as the RFC defines it, without a return value: the outcome of the call is
     * reported only through this Connection's events, exactly one of Sent (§9.2.2.1), Expired
     * (§9.2.2.2) or SendError (§9.2.2.3) per call, each carrying {@code message.context()}. Because
     * no {@link CompletionStage} is handed out, taps reuses its own bookkeeping for the next call:
     * called on the Connection's event loop (from an event handler, as a request/response loop does)
     * this send allocates nothing per Message on a TCP, TLS or UDP Connection.
     *
     * <p>The same complete Message (its bytes and its context) may be sent again by later calls; a
     * MessageContext identifies the Message it carries (§9.1.1), so an application that needs to
     * tell the events of several outstanding Sends apart gives each its own context. Like
     * {@link Message#wrap}, the bytes must not change while a Send of them is outstanding. For a
     * Message in parts use {@link #send(Message, MessageContext, boolean)}. No event follows the
     * Connection's Closed or ConnectionError (§11), so a Send made after them ends without one,
     * where {@link #send(Message)}'s stage would fail. Implementations that have no cheaper path
     * may simply call {@link #send(Message)}.
     */
    default void sendWithEvents(Message message) {
        send(message);
    }

    /** Sends the UTF-8 bytes of {@code text} as one Message. */
    default CompletionStage<MessageContext> send(String text) {
        return send(Message.of(text));
    }

    /** Sends a copy of {@code data} as one Message. */
    default CompletionStage<MessageContext> send(byte[] data) {
        return send(Message.of(data));
    }

    /**
     * Send with an explicit context and end-of-message flag (§9.2.3, A-19): data sent with the
     * same context forms one Message until {@code endOfMessage} is true. Exactly one of Sent,
     * Expired or SendError follows for every call.
     */
    CompletionStage<MessageContext> send(Message message, MessageContext context, boolean endOfMessage);

    /**
     * StartBatch (RFC 9622 §9.2.4, A-20): Messages sent from now until the matching
     * {@link #endBatch()} are written without flushing and leave together with one flush, so
     * several small Messages cost one system call (one TCP segment where they fit; on UDP still
     * one datagram each, sent together). Batches nest; only the outermost EndBatch flushes. Each
     * Send still ends with its own Sent, Expired or SendError. Close ends an open batch. Call
     * StartBatch and EndBatch from the thread that sends, so they stay in order with its Sends.
     */
    void startBatch();

    /** EndBatch (RFC 9622 §9.2.4): ends the batch {@link #startBatch()} began and flushes its Messages. */
    void endBatch();

    /**
     * AddRemote (RFC 9622 §7.5, A-15): makes {@code endpoints} known to this Connection; ones
     * already known are ignored. taps' stacks are single-path and do not migrate (multipath is
     * never offered, RFC 9622 §6.2.14), so an added endpoint is not used by the flow in progress:
     * it is a candidate a multipath or migrating stack would use, listed by {@link #remoteEndpoints()}.
     */
    void addRemote(RemoteEndpoint... endpoints);

    /**
     * RemoveRemote (RFC 9622 §7.5, A-15): {@code endpoints} are no longer to be used; unknown ones are
     * ignored. A single-path flow cannot move to another endpoint, so removing the Remote Endpoint
     * in use (the resolved address, as {@link #remoteEndpoint()} gives it), or the last known
     * one, aborts the Connection (ConnectionError, as RFC 9622 §7.5 allows).
     */
    void removeRemote(RemoteEndpoint... endpoints);

    /** AddLocal (RFC 9622 §7.5, A-15): like {@link #addRemote}, for Local Endpoints. */
    void addLocal(LocalEndpoint... endpoints);

    /**
     * RemoveLocal (RFC 9622 §7.5, A-15): like {@link #removeRemote}; removing the Local Endpoint in
     * use (the bound address, as {@link #localEndpoint()} gives it) aborts the Connection.
     */
    void removeLocal(LocalEndpoint... endpoints);

    /**
     * The Remote Endpoints known to this Connection (RFC 9622 §7.5): its Preconnection's, the one in
     * use once established, and those added by {@link #addRemote}, less the removed ones.
     */
    List<RemoteEndpoint> remoteEndpoints();

    /** The Local Endpoints known to this Connection (RFC 9622 §7.5), like {@link #remoteEndpoints()}. */
    List<LocalEndpoint> localEndpoints();

    /** Receive (§9.3.1, A-21) with the default limits: completes with the next Message or part. */
    CompletionStage<Message> receive();

    /**
     * Receive (§9.3.1, A-21): completes with the next complete Message, or with a part of at least
     * {@code minIncompleteLength} and at most {@code maxLength} bytes. Each call is answered by
     * exactly one Received, ReceivedPartial or ReceiveError event, in call order.
     */
    CompletionStage<Message> receive(int minIncompleteLength, int maxLength);

    /**
     * Receive (RFC 9622 §9.3.1) as the RFC defines it, without a return value: the call is answered
     * only by this Connection's events, exactly one Received, ReceivedPartial or ReceiveError
     * (§9.3.2) per call, in call order with {@link #receive(int, int)}'s calls. The Message delivered
     * is the application's to keep, as always. Because no {@link CompletionStage} is handed out,
     * taps reuses its own bookkeeping for the next call: called on the Connection's event loop (from
     * the Received handler, as a request/response loop does) it allocates nothing itself. As with
     * {@link #sendWithEvents}, no event follows Closed or ConnectionError (§11). Implementations
     * that have no cheaper path may simply call {@link #receive(int, int)}.
     *
     * @throws TransportServicesException (INVALID_CONFIGURATION) for limits Receive cannot honour
     */
    default void receiveWithEvents(int minIncompleteLength, int maxLength) {
        receive(minIncompleteLength, maxLength);
    }

    /**
     * {@link #receiveWithEvents} whose Message <em>borrows</em> taps' receive buffer instead of
     * getting a copy of it ({@link Message#isBorrowed()}): for a server or proxy that forwards or
     * inspects each Message inside its Received (or ReceivedPartial) handler and does not keep it,
     * which then costs neither the copy nor the array. The rules, checked on every read:
     * <ul>
     *   <li>its bytes may be read only by the thread running that handler, and only until the
     *       handler returns; after that every read throws {@link IllegalStateException} (taps has
     *       released the buffer, which may already hold another Connection's data);</li>
     *   <li>sending it ({@link #send}, {@link #sendWithEvents}, on this or any Connection) from the
     *       handler takes the bytes into the Send before the handler returns: a Message above
     *       2 KiB as a reference to the received buffer (no copy), a smaller one copied straight
     *       into the pooled buffer that goes down the link, as every small Send is;</li>
     *   <li>{@link Message#keep()} inside the handler gives a Message of its own to keep.</li>
     * </ul>
     * taps lends only to a handler that runs at once on the event loop, so a lent buffer (a UDP
     * read buffer is 64 KiB) is held for that one call and never piles up: with a handler executor,
     * or when the Message is delivered while another event of the Connection is running (a
     * Receive called inside a handler that finds data already queued), the Message is an owned
     * copy, as {@link #receiveWithEvents} delivers. {@link Message#isBorrowed()} tells which. Not
     * an RFC 9622 call: the RFC leaves buffer management to the implementation (§9.3.1); this is
     * how taps offers the copy-free receive that its §9.3 Receive otherwise rules out.
     *
     * @throws TransportServicesException (INVALID_CONFIGURATION) for limits Receive cannot honour
     */
    default void receiveBorrowedWithEvents(int minIncompleteLength, int maxLength) {
        receiveWithEvents(minIncompleteLength, maxLength);
    }

    /**
     * Close (§10, A-23): sends what is queued, then ends the connection gracefully; Closed follows
     * once the peer has closed too, or when the close timeout ({@code _taps.closeTimeout}) ends.
     *
     * <p>Receiving after Close: on a byte-stream stack (TCP, TLS, QUIC streams, with or without a
     * framer) everything the peer sends until its end of stream is still delivered to Receive
     * calls, made before or after Close, and Closed is raised only once the application has
     * received all of it (and, if it calls Receive after Close, the final Message that carries
     * the peer's end of stream); the close timeout bounds the wait, after which what is still unread is
     * dropped and outstanding Receives end with ReceiveError {@code ConnectionClosed}. RFC 9622
     * §10 also allows stopping delivery at Close; taps does not, so a Receive never sees part of
     * the peer's data and then an unrelated error. To stop sending but keep the Connection open
     * for the peer's reply, send a Final message (§9.1.3.5) instead. Each queued Message ends with
     * exactly one of Sent, Expired or SendError; a transport failure while closing (a reset, a
     * local timeout) is a ConnectionError naming it, never Closed.
     */
    void close();

    /**
     * Abort (§10, A-24): drops pending data, resets the connection, then ConnectionError. Every
     * Message not yet handed to the transport ends with SendError. That includes, on a Connection
     * with a Message Framer, the Messages sent from the Received handler that is running: while a
     * framer delivers the Messages of one read, taps holds the flush of the replies sent from their
     * handlers and flushes once when the read has been delivered (one write system call instead of
     * one per reply), so an Abort from that same handler finds them still pending.
     */
    void abort();

    /** GetProperties (§8, A-17): a snapshot of every Connection Property and the Selection Properties as Booleans (C-22). */
    ConnectionProperties getProperties();

    /**
     * SetProperty (§8, A-16): changes a Connection Property. A failure is thrown as a
     * {@link TransportServicesException} and never terminates the Connection (CP-X1).
     */
    void setProperty(String name, Object value);

    /** Typed form of {@link #setProperty(String, Object)}. */
    <T> void setProperty(Property<T> property, T value);

    /** The connection's state (§11, E-20). */
    ConnectionState state();

    /** The chosen protocol stack, for example {@code "TLS/TCP"}; empty while establishing. */
    Optional<String> protocolStack();

    /** The remote endpoint, resolved to the address in use once established. */
    Optional<RemoteEndpoint> remoteEndpoint();

    /** The local endpoint in use once established. */
    Optional<LocalEndpoint> localEndpoint();

    /**
     * How this Connection was established (RFC 9623 §4.1–§4.3): the candidate tree, every attempt
     * with its start offset, duration and outcome, and the winner. While establishing, the report
     * so far; for a Connection a Listener accepted, a report without attempts whose winner is the
     * accepted stack.
     */
    EstablishmentReport establishmentReport();

    /** The ALPN protocol negotiated by a secure stack, if any. */
    Optional<String> negotiatedApplicationProtocol();

    /**
     * What the security handshake negotiated (RFC 9622 §6.3 and §8): protocol version, cipher suite,
     * ALPN, the peer's certificate chain (on a Listener the authenticated client's identity) and
     * whether the session was resumed. Empty while establishing and for a Connection without
     * security, such as the cleartext branch of opportunistic security.
     */
    Optional<SecurityOutcome> securityOutcome();

    /**
     * Clone (RFC 9622 §7.4, A-13; design.md Q-16): a new Connection in this Connection's group,
     * with the same framers (new instances) and the same properties. On TCP and TLS/TCP it is a new
     * transport connection to the address this Connection uses, with the same stack and security
     * (same TLS configuration and server name): no new race and no new resolution. On UDP it is a
     * new connected socket to the same remote. The clone raises its own Ready or EstablishmentError;
     * a failure also raises CloneError on this Connection (when it can still raise events).
     *
     * <p>Called before this Connection is Ready, the clone waits and is opened once it is Ready
     * (and fails with {@link ErrorReason#NOT_CLONEABLE} if it never is). A Connection that is
     * closing or Closed, a Connection a Listener accepted and a stack that cannot be cloned make the
     * clone fail with {@code NOT_CLONEABLE}. {@code groupConnLimit} does not limit clones: it bounds
     * the Connections the peer opens in the group (RFC 9622 §8.1.9). The clone's events go to this
     * Connection's current event handler until it gets its own.
     */
    Connection clone();

    /** Clone with {@code overrides} (see {@link #clone(FramerFactory, TransportProperties)}). */
    Connection clone(TransportProperties overrides);

    /**
     * Clone with a framer and properties (RFC 9622 §7.4): a non-null {@code framer} replaces this
     * Connection's framers for the clone, null keeps them. {@code overrides} (nullable) may carry
     * Connection Properties and default Message Properties: {@code connPriority} and Message
     * Properties apply to the clone only; every other Connection Property is entangled, so a value
     * given here becomes the whole group's. A Selection Property that differs from this
     * Connection's is refused at once with {@link ErrorReason#INVALID_PROPERTY}: the stack is fixed.
     */
    Connection clone(FramerFactory framer, TransportProperties overrides);

    /** The Connection Group this Connection belongs to (RFC 9622 §7.4); a group of one unless cloned. */
    ConnectionGroup group();

    /** GetGroupedConnections (RFC 9622 §7.4, A-14): the members of this Connection's group not yet Closed, this one included. */
    default List<Connection> groupedConnections() {
        return group().connections();
    }

    /** CloseGroup (RFC 9622 §10, A-25): Close on every member of the group. */
    default void closeGroup() {
        group().close();
    }

    /** AbortGroup (RFC 9622 §10, A-25): Abort on every member of the group. */
    default void abortGroup() {
        group().abort();
    }

    /** The data transfer report so far (bytes, Messages, RTT, duration); callable from any thread. */
    TransferReport transferReport();

    // ---------------------------------------------------------------- streams and backpressure

    /** The window of {@link #sendAll(Flow.Publisher)}: bytes sent but not yet Sent, 2 MiB. */
    long DEFAULT_SEND_WINDOW = 2L << 20;

    /**
     * The received Messages as a {@link Flow.Publisher} (Receive, RFC 9622 §9.3.1, driven by demand):
     * each Message the subscriber requests is fetched by one Receive with the default limits, issued
     * only while demand is waiting. With no Receive waiting, the Connection stops reading from the
     * socket once its receive budget (1 MiB of memory) is buffered, so a subscriber that requests
     * slowly slows the peer down through transport flow control instead of filling memory.
     *
     * <p>On a byte stream without a framer, a Message is a part of the stream as it arrived (the
     * whole stream is one RFC 9622 Message); with a framer, the framer's Messages. The peer's end of
     * stream ({@link Message#endOfStream()}, RFC 9622 §9.3.3.3) is the last onNext, followed by
     * onComplete (an empty end-of-stream Message is not emitted: onComplete says it). A
     * ReceiveError or the ConnectionError is onError. One subscriber at a time: a second one while
     * the first is subscribed gets onError(IllegalStateException); after cancel a new one may
     * subscribe and gets the data from where the first stopped. Do not call {@link #receive()}
     * while subscribed: both would take from the same stream. Always the same publisher.
     */
    Flow.Publisher<Message> messages();

    /**
     * Sends every Message {@code messages} emits (Send, RFC 9622 §9.2), in order, requesting the next
     * one only while the bytes sent but not yet confirmed by Sent (§9.2.2.1) stay below
     * {@link #DEFAULT_SEND_WINDOW}: a bulk transfer needs no pacing of its own and never meets
     * SendQueueFull. Completes with the bytes sent once the publisher completed and every Message is
     * Sent; fails with the first SendError (and cancels the publisher) or the publisher's error. It
     * does not end the stream: follow it with {@link #sendFinal()} to half-close.
     */
    default CompletionStage<Long> sendAll(Flow.Publisher<? extends Message> messages) {
        return sendAll(messages, DEFAULT_SEND_WINDOW);
    }

    /**
     * {@link #sendAll(Flow.Publisher)} with the window in bytes; it is capped at half of
     * {@code _taps.sendQueueLimit}, so the send queue cannot overflow with Messages up to that half.
     * At most the window plus one Message is held in memory.
     */
    CompletionStage<Long> sendAll(Flow.Publisher<? extends Message> messages, long windowBytes);

    /**
     * Sends everything {@code source} holds until its end (as {@link #sendAll(Flow.Publisher)}, in
     * Messages of up to 64 KiB), read on a thread of its own as the window allows. The source must
     * be a blocking channel (a FileChannel, a pipe); it is not closed.
     */
    CompletionStage<Long> sendFrom(ReadableByteChannel source);

    /** {@link #sendFrom(ReadableByteChannel)} for an InputStream; the stream is not closed. */
    default CompletionStage<Long> sendFrom(InputStream source) {
        return sendFrom(Channels.newChannel(source));
    }

    /**
     * Sends {@code message} as the Final Message (RFC 9622 §9.1.3.5): the last one on this
     * Connection, after which the sending direction is closed (TCP FIN) while receiving goes on,
     * i.e. a half-close. Its context's other Message Properties are kept.
     */
    default CompletionStage<MessageContext> sendFinal(Message message) {
        MessageContext context = message.context();
        MessageProperties properties = context.properties().toBuilder().finalMessage(true).build();
        return send(message, context.withProperties(properties), true);
    }

    /** Half-close: an empty Final Message (RFC 9622 §9.1.3.5), see {@link #sendFinal(Message)}. */
    default CompletionStage<MessageContext> sendFinal() {
        return sendFinal(Message.empty());
    }

    /**
     * Receives everything up to the peer's end of stream (RFC 9622 §9.3.3.3) as one Message of at
     * most {@code maxBytes}, through {@link #messages()}; a longer stream fails the stage with
     * MessageTooLarge and stops reading. The Message's context is the final one.
     */
    CompletionStage<Message> receiveAll(int maxBytes);

    /**
     * Writes everything up to the peer's end of stream to {@code target} (a FileChannel, say),
     * through {@link #messages()}, on a thread of its own, one Message at a time: memory stays at
     * the receive budget however long the stream is. Completes with the bytes written; the target is
     * not closed.
     */
    CompletionStage<Long> receiveTo(WritableByteChannel target);
}

package io.taps.framer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.Role;
import java.util.Optional;

/**
 * The calls a {@link Framer} makes on its Connection (RFC 9623 §6.1 to §6.3, checklist M-50..M-54).
 * taps gives every framer of every Connection its own context (a shared framer tells its
 * Connections apart by it); call it only on the Connection's event loop,
 * from within a {@link Framer} method or a task scheduled on {@link #executor()}.
 *
 * <h2>Ownership of buffers</h2>
 * {@link #send} and {@link #deliver} take ownership of the buffer they are given. What
 * {@link #parse} returns is a read-only view owned by taps: never release it, and do not keep it
 * after the receive cursor moves ({@link #advanceReceiveCursor}, a delivery) or the method returns.
 */
public interface FramerContext {

    /** MakeConnectionReady (RFC 9623 §6.1): this framer is done with its handshake. */
    void makeConnectionReady();

    /**
     * MakeConnectionClosed (RFC 9623 §6.1): the framing protocol has ended the Connection; taps
     * closes it gracefully after what was already delivered.
     */
    void makeConnectionClosed();

    /**
     * FailConnection (RFC 9623 §6.1): the framer cannot go on. Before Ready this rejects the
     * candidate (the attempt fails with {@code error}; racing moves on); after Ready the Messages
     * already delivered are received first, then the Connection ends with a ConnectionError
     * carrying {@code error}, and no more input reaches the framer.
     */
    void failConnection(TransportServicesException error);

    /** {@link #failConnection(TransportServicesException)} with a reason and a message naming the problem. */
    default void failConnection(ErrorReason reason, String message) {
        failConnection(new TransportServicesException(reason, message));
    }

    /**
     * PrependFramer (RFC 9623 §6.1): inserts {@code framer} directly below this one (nearer the
     * network), e.g. STARTTLS-style after a cleartext greeting. It starts at once; received bytes
     * not yet consumed by this framer become the new framer's input, and what this framer sends
     * from now on goes through it.
     */
    void prependFramer(Framer framer);

    /**
     * StartPassthrough (RFC 9623 §6.1): this framer steps aside; sent Messages and received bytes
     * pass it unchanged from now on (received bytes then go up as a stream without boundaries).
     */
    void startPassthrough();

    /**
     * Send (RFC 9623 §6.2): passes framed bytes towards the network; taps owns {@code data} now.
     * During {@link Framer#newSentMessage} the buffers of all calls are written as one unit (a
     * composite, not a copy) whose completion is the Message's Sent; at other times (a handshake)
     * they are written and flushed at once.
     */
    void send(ByteBuf data);

    /**
     * Parse (RFC 9623 §6.3): a read-only view of the bytes at the receive cursor, at least
     * {@code minimumIncompleteLength} and at most {@code maximumLength} of them, or {@code null}
     * when fewer than {@code minimumIncompleteLength} bytes have arrived ("the parse fails").
     * Parsing does not move the cursor.
     */
    ByteBuf parse(int minimumIncompleteLength, int maximumLength);

    /** Bytes received at the cursor and not yet consumed. */
    int readableBytes();

    /** AdvanceReceiveCursor (RFC 9623 §6.3): discards {@code length} received bytes, e.g. a parsed header. */
    void advanceReceiveCursor(int length);

    /**
     * DeliverAndAdvanceReceiveCursor (RFC 9623 §6.3, M-52): delivers the next {@code length} bytes
     * as (the rest of) a Message with {@code messageContext}. {@code length} may exceed what has
     * arrived: the missing bytes are earmarked and handed up as they arrive, as parts of the same
     * Message, without ever being held whole; the framer is called again only after the earmarked
     * bytes have passed.
     */
    void deliverAndAdvanceReceiveCursor(MessageContext messageContext, long length, boolean endOfMessage);

    /**
     * Deliver (RFC 9623 §6.3): delivers framer-made data (e.g. decoded bytes) as (part of) a
     * Message; taps owns {@code data} now. The cursor does not move.
     */
    void deliver(MessageContext messageContext, ByteBuf data, boolean endOfMessage);

    /** A context for a received Message, carrying the Connection's endpoints; add framer values to it. */
    MessageContext receivedContext();

    /** Whether the peer ended its sending direction; no bytes follow those at the cursor. */
    boolean inputEnded();

    /** The allocator for headers and framer-made data. */
    ByteBufAllocator alloc();

    /** The Connection's event loop, for framer timers. */
    java.util.concurrent.ScheduledExecutorService executor();

    /** Whether this side initiated the Connection or a Listener accepted it. */
    Role role();

    Optional<RemoteEndpoint> remoteEndpoint();

    Optional<LocalEndpoint> localEndpoint();
}

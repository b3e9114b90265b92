package io.taps.internal.conn;

import io.netty.buffer.ByteBuf;
import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.internal.ReceivedContexts;
import io.taps.monitor.TransportObserver;
import io.taps.properties.Direction;
import io.taps.properties.MessageProperties;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving half of a Connection (RFC 9622 §9.3): the inbound queue the link fills, the
 * outstanding Receive calls it serves one event each through the {@link ReceiveStrategy}
 * of the link's kind, and backpressure: reading pauses when what is buffered takes more than a
 * high-water mark of memory (not of payload: see {@link InboundQueue}), so a slow reader pushes
 * back on the peer, but never while a Receive waits for data, so backpressure never blocks
 * progress. Datagrams, which cannot be pushed back on a shared socket, are dropped above a limit
 * of memory and count. Runs on the connection's event loop only.
 *
 * <p>The top layer of the Connection object below the facade ({@link TapsConnection}), on its
 * {@link WaitingReceives} (which parks a lone events-only Receive) and {@link InboundQueue}: their
 * fields and its own live in the Connection, with no object of their own (one object less to
 * touch per Message among thousands of Connections: issue 21 figure 12). {@link #inbound()} is
 * the queue's view of it; the queue keeps its own rules and tests.
 */
abstract sealed class ReceivePath extends WaitingReceives permits TapsConnection {
    /**
     * Memory of buffered received data above which reading pauses, so a slow reader pushes back
     * on the peer: the per-Connection receive budget, in bytes of memory.
     */
    static final long RECEIVE_HIGH_WATER = 1 << 20;
    private static final long RECEIVE_LOW_WATER = RECEIVE_HIGH_WATER / 2;
    /**
     * The most payload a single Receive may make the connection buffer before it is served:
     * reading does not pause while a Receive waits (so backpressure never blocks its progress), and
     * a minIncompleteLength above this bound gets what is queued once this much is.
     */
    static final long RECEIVE_HARD_CAP = 16L << 20;
    /** Memory of datagrams one Connection may buffer before further ones are dropped (UDP is lossy). */
    static final long DATAGRAM_QUEUE_MEMORY = 1L << 20;
    /** Datagrams one Connection may buffer before further ones are dropped, however small. */
    static final int DATAGRAM_QUEUE_COUNT = 4096;

    private static final Logger log = LoggerFactory.getLogger(ReceivePath.class);
    /**
     * The steps of Received, ReceivedPartial and their Receive's completion: constant, so raising
     * them allocates nothing. A borrowed Message is lent to the thread about to run its handler; the
     * loan ends in the completion step, right after the handler (even if it throws).
     */
    private static final EventDispatcher.Step<TapsConnection, Message, ReceiveRequest> RECEIVED =
            (connection, message, request) -> {
                request.handingOver();
                ReceiveStrategy.MESSAGES.lendToThisThread(message);
                connection.handler().received(connection, message);
            };
    private static final EventDispatcher.Step<TapsConnection, Message, ReceiveRequest> RECEIVED_PARTIAL =
            (connection, message, request) -> {
                request.handingOver();
                ReceiveStrategy.MESSAGES.lendToThisThread(message);
                connection.handler().receivedPartial(connection, message);
            };
    private static final EventDispatcher.Step<TapsConnection, Message, ReceiveRequest> RECEIVE_DONE =
            (connection, message, request) -> {
                ReceiveStrategy.MESSAGES.endLoan(message);
                request.deliver(message);
            };

    /** Read off the event loop (canReceive), so not one of {@link #flags}. */
    private volatile boolean inputEnded;
    /**
     * The event loop's flags, one bit each: four booleans and a long count of dropped datagrams
     * (only ever asked whether it was the first) and a long count of early bytes took the path
     * to 96 B of every Connection, 80 B now (issue 21 figure 12).
     */
    private byte flags;
    private static final int STREAM_END_DELIVERED = 1;
    private static final int PARTIAL_DELIVERED = 1 << 1;
    /** Reading was paused for backpressure (see {@link #updateReading}). */
    private static final int READING_PAUSED = 1 << 2;
    /** The application asked to Receive after Close: it reads the peer's reply to its end. */
    private static final int READING_AFTER_CLOSE = 1 << 3;
    /** A datagram was dropped because this Connection's queue (or its Listener's share) was full; logged once. */
    private static final int DATAGRAM_DROPPED = 1 << 4;
    /*
     * A framer's failConnection after Ready and the unframed bytes that arrived as 0-RTT early data
     * wait in the Connection's RareTransfer (framingError, earlyBytesLeft): few Connections have either.
     */

    private boolean is(int flag) {
        return (flags & flag) != 0;
    }

    private void set(int flag, boolean on) {
        flags = (byte) (on ? flags | flag : flags & ~flag);
    }

    ReceivePath(java.util.concurrent.Executor eventExecutor) {
        super(eventExecutor);
    }

    /** This layer's Connection: the object itself, whose other layers it calls by name. */
    private TapsConnection connection() {
        return (TapsConnection) this;
    }

    /** Takes what it needs of {@code link} once, when the Connection adopts it (its strategy is read per delivery). */
    void receiveOn(Link link) {
        // An int: early data is what a SYN carried, under 64 KiB.
        long early = link.framed() ? 0 : link.earlyDataBytes();
        RareTransfer rare = early > 0 ? rareTransfer() : rareTransferIfMade();
        if (rare != null) {
            rare.earlyBytesLeft = (int) Math.min(Integer.MAX_VALUE, early);
        }
        SharedReceiveBudget shared = link.sharedReceiveBudget();
        if (shared != null) {
            shareBudget(shared);
        }
    }

    InboundQueue inbound() {
        return this;
    }

    boolean streamEndDelivered() {
        return is(STREAM_END_DELIVERED);
    }

    void streamEnded() {
        set(STREAM_END_DELIVERED, true);
    }

    boolean partialDelivered() {
        return is(PARTIAL_DELIVERED);
    }

    TransportServicesException framingError() {
        RareTransfer rare = rareTransferIfMade();
        return rare == null ? null : rare.framingError;
    }

    boolean inputEnded() {
        return inputEnded;
    }

    /** Whether Receive is still possible, for canReceive (RFC 9622 §8.1.11.3). */
    boolean canReceive(Direction direction) {
        return !inputEnded && direction != Direction.UNIDIRECTIONAL_SEND;
    }

    /**
     * A Receive that reports only through events (receiveWithEvents): an idle one from the event
     * loop thread's {@link ReceivePool} when there is one, so the steady path makes none per
     * Message and a Connection keeps none of its own. On the event loop.
     */
    @Override
    ReceiveRequest pooledRequest(int minIncompleteLength, int maxLength, boolean borrows) {
        ReceiveRequest request = ReceivePool.ofThisThread().poll();
        if (request == null) {
            return new ReceiveRequest(this, minIncompleteLength, maxLength, true, borrows);
        }
        request.reuse(this, minIncompleteLength, maxLength, borrows);
        return request;
    }

    /**
     * Takes back a pooled Receive whose event has been raised (or is about to reach the handler),
     * into the event loop thread's {@link ReceivePool}; on the event loop only.
     */
    @Override
    boolean recycle(ReceiveRequest request) {
        if (!connection().eventLoop().inEventLoop()) {
            return false;
        }
        request.poolIdle();
        ReceivePool.ofThisThread().offer(request);
        return true;
    }

    void request(ReceiveRequest request) {
        if (terminated()) {
            request.fail(closedError("receive"));
            return;
        }
        if (connection().store.direction() == Direction.UNIDIRECTIONAL_SEND) {
            // A multicast send Connection (EP-03) or one asked to only send never gets data.
            request.fail(new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "the connection's direction is unidirectional send, so it cannot receive (RFC 9622 §6.2.16)"));
            return;
        }
        if (closeRequested()) {
            set(READING_AFTER_CLOSE, true);
        }
        addRequest(request);
        deliver();
    }

    // ---------------------------------------------------------------- from the link

    @Override
    public void onStreamData(ByteBuf data) {
        if (connection().terminated()) {
            data.release();
            return;
        }
        connection().countBytesReceived(data.readableBytes());
        addStreamData(data);
        deliver();
    }

    @Override
    public void onFramedMessage(ByteBuf data, MessageContext context, boolean endOfMessage) {
        if (connection().terminated() || framingError() != null) {
            data.release();
            return;
        }
        if (!data.isReadable() && !endOfMessage) {
            data.release();
            return;
        }
        connection().countBytesReceived(data.readableBytes());
        if (endOfMessage) {
            connection().countMessageReceived();
            if (context != null && deliveredAtOnce(data, context)) {
                return;
            }
        }
        addMessage(data, context, endOfMessage);
        deliver();
    }

    @Override
    public void onFramingError(TransportServicesException error) {
        if (connection().terminated() || framingError() != null) {
            return;
        }
        rareTransfer().framingError = error;
        deliver();
    }

    @Override
    public void onDatagram(ByteBuf data, InetSocketAddress sender) {
        if (connection().terminated()) {
            data.release();
            return;
        }
        if (!datagramFits(data)) {
            if (!is(DATAGRAM_DROPPED)) {
                set(DATAGRAM_DROPPED, true);
                log.debug("{}: the application is not receiving fast enough; dropping datagrams above {} queued or {}"
                        + " bytes of memory", connection(), DATAGRAM_QUEUE_COUNT, DATAGRAM_QUEUE_MEMORY);
            }
            data.release();
            return;
        }
        connection().countBytesReceived(data.readableBytes());
        connection().countMessageReceived();
        MessageContext context = receivedContext(sender, false);
        if (!deliveredAtOnce(data, context)) {
            addMessage(data, context, true);
            deliver();
        }
    }

    /**
     * The steady state of request/response: a whole Message (a datagram, or a framer's complete
     * Message) arrives while a Receive waits that takes it whole, and nothing is queued before it.
     * It goes to that Receive at once, copied once out of the link's buffer (which is released),
     * exactly as {@link #deliver} would hand it over, without the inbound queue's unit, right-sized
     * copy and buffer wrapper, or lent as it is (ReceiveStrategy#lends). Returns false, owning
     * nothing, when the Message must be queued.
     */
    private boolean deliveredAtOnce(ByteBuf data, MessageContext context) {
        ReceiveRequest request = firstRequest();
        if (request == null || !isEmpty() || data.readableBytes() > request.maxLength()) {
            return false;
        }
        Message delivered;
        if (ReceiveStrategy.lends(this, request)) {
            delivered = ReceiveStrategy.MESSAGES.lend(data, context, true);
        } else {
            byte[] bytes = new byte[data.readableBytes()];
            data.getBytes(data.readerIndex(), bytes);
            data.release();
            delivered = ReceiveStrategy.MESSAGES.adopt(bytes, context, true);
        }
        raise(pollRequest(), delivered);
        deliver();
        return true;
    }

    /** Whether one more datagram stays within this Connection's datagram limits and its Listener's share. */
    private boolean datagramFits(ByteBuf data) {
        if (units() >= DATAGRAM_QUEUE_COUNT) {
            return false;
        }
        long cost = InboundQueue.admissionCost(data);
        SharedReceiveBudget shared = connection().link() == null ? null : connection().link().sharedReceiveBudget();
        return memory() + cost <= DATAGRAM_QUEUE_MEMORY && (shared == null || shared.fits(cost));
    }

    /** The peer ended its sending direction (TCP FIN): end of the stream Message, no Closed (RFC 9623 §10.1). */
    @Override
    public void onInputShutdown() {
        if (inputEnded) {
            return;
        }
        if (framingError() != null) {
            inputEnded = true;
            deliver();
            return;
        }
        Throwable failure = failureCause();
        if (failure != null) {
            // With half-closure allowed, Netty reports a read error (a peer's RST) as input shutdown.
            failWithConnectionError(TransportFailures.describe(failure, closeRequested()));
            return;
        }
        inputEnded = true;
        Link link = connection().link();
        if (link != null && !link.framed()) {
            // Without a framer the whole stream is one Message (RFC 9622 §9.3); the peer's FIN ends it.
            connection().countMessageReceived();
        }
        addEndOfStream(receivedContext(null, true));
        deliver();
        if (closeRequested()) {
            continueClosing();
        }
    }

    // ---------------------------------------------------------------- delivery

    /** Matches buffered data with outstanding Receive calls, one event per call. */
    void deliver() {
        ReceiveRequest request;
        while ((request = firstRequest()) != null && !terminated()) {
            // Chosen per delivery from the link, not kept: a field took ReceivePath to 88 B (issue 21 figure 12).
            Message delivered = ReceiveStrategy.forLink(connection().link()).take(this, request);
            if (delivered == ReceiveStrategy.END_OF_STREAM) {
                refuseAfterStreamEnd(pollRequest());
                continue;
            }
            if (delivered == null) {
                break;
            }
            raise(pollRequest(), delivered);
        }
        park();
        TransportServicesException framingError = framingError();
        if (framingError != null && !terminated() && framingErrorDue()) {
            failWithConnectionError(framingError);
            return;
        }
        if (flowClosed()) {
            received();
            return;
        }
        updateReading();
    }

    /** Raises Received (ReceivedPartial for a part, or the last part of a Message delivered in parts) for {@code request}. */
    private void raise(ReceiveRequest request, Message delivered) {
        boolean complete = delivered.endOfMessage() && !is(PARTIAL_DELIVERED);
        set(PARTIAL_DELIVERED, !delivered.endOfMessage());
        TransportObserver observer = connection().observer();
        if (observer != TransportObserver.NONE) {
            if (delivered.length() == 0 && delivered.endOfMessage() && delivered.context().isFinal()) {
                observer.endOfStreamReceived(connection());
            } else {
                observer.messageReceived(connection(), delivered.length(), delivered.endOfMessage());
            }
        }
        if (!connection().emit(complete ? RECEIVED : RECEIVED_PARTIAL, RECEIVE_DONE, connection(), delivered,
                request)) {
            ReceiveStrategy.MESSAGES.endLoan(delivered);
        }
    }

    /**
     * Whether received data waits for a Receive: unread bytes, or the peer's end of stream when
     * the application is reading after Close (it needs the final Message to know it has it all;
     * an application that does not read after Close is not kept waiting for it).
     */
    boolean hasUndelivered() {
        return bytes() > 0 || (is(READING_AFTER_CLOSE) || receiveWaits()) && peek() != null;
    }

    /** A framing failure is raised once nothing delivered before it is left to receive. */
    private boolean framingErrorDue() {
        InboundQueue.Unit head = peek();
        // An unfinished Message before the failure can never be completed: it is dropped.
        return head == null || head.endOfStream || (headMessage() & 1) == 0;
    }

    /** A Receive after the peer's end of stream was delivered gets ReceiveError, never a hang. */
    private void refuseAfterStreamEnd(ReceiveRequest request) {
        TransportServicesException error = new TransportServicesException(ErrorReason.CONNECTION_CLOSED,
                "the peer ended the stream; no further messages will arrive");
        observeReceiveError(error);
        connection().emit(() -> connection().handler().receiveError(connection(), MessageContext.create(), error),
                () -> request.fail(error));
    }

    /**
     * Pauses reading while buffered data takes more than the high-water mark of memory and resumes
     * it below the low-water mark. A Receive still waiting after delivery waits for data not yet
     * here (its minIncompleteLength, at most {@link #RECEIVE_HARD_CAP}, or a framed Message's
     * end), so reading never pauses while one waits (issue 13, defect 6).
     */
    private void updateReading() {
        Link link = connection().link();
        if (link == null) {
            return;
        }
        boolean receiveWaits = receiveWaits();
        long memory = memory();
        boolean reading = !is(READING_PAUSED);
        if (reading && memory > RECEIVE_HIGH_WATER && !receiveWaits) {
            set(READING_PAUSED, true);
            link.setReading(false);
        } else if (!reading && (memory < RECEIVE_LOW_WATER || receiveWaits)) {
            set(READING_PAUSED, false);
            link.setReading(true);
        }
    }

    private static final MessageProperties UNRELIABLE = MessageProperties.builder().msgReliable(false).build();

    /**
     * The context of {@code length} stream bytes about to be delivered in one Message: marked as
     * early data when any of them arrived as 0-RTT data (RFC 9622 §9.3.3.2), since the application
     * must then treat the Message as one an attacker may replay.
     */
    MessageContext streamContext(MessageContext base, long length) {
        RareTransfer rare = rareTransferIfMade();
        if (rare == null || rare.earlyBytesLeft <= 0 || length <= 0) {
            return base;
        }
        rare.earlyBytesLeft -= (int) Math.min(rare.earlyBytesLeft, length);
        return ReceiveStrategy.MESSAGES.earlyData(base);
    }

    MessageContext receivedContext(InetSocketAddress sender, boolean isFinal) {
        Link link = connection().link();
        if (!isFinal && link != null && (sender == null || sender.equals(link.remoteAddress()))) {
            // A connected link's endpoints never change: one immutable context serves every Message,
            // kept by the event loop for the links active lately, not by every Connection (32 B each).
            return ReceivedContexts.of(link.remoteAddress(), link.localAddress(),
                    link.receivesUnreliably() ? UNRELIABLE : MessageProperties.empty());
        }
        return newReceivedContext(sender, isFinal);
    }

    private MessageContext newReceivedContext(InetSocketAddress sender, boolean isFinal) {
        Link link = connection().link();
        InetSocketAddress from = sender != null ? sender : link == null ? null : link.remoteAddress();
        InetSocketAddress to = link == null ? null : link.localAddress();
        // The addresses, not endpoints: made only if the application reads them (issue 21 item 4).
        MessageContext context = ReceiveStrategy.MESSAGES.receivedOn(from, to, isFinal);
        return link != null && link.receivesUnreliably() ? context.withProperties(UNRELIABLE) : context;
    }

    // ---------------------------------------------------------------- the end

    /**
     * {@link #failAll(TransportServicesException)}, making the error only when a Receive waits for
     * it: a graceful close with none outstanding (the usual case) costs no exception.
     */
    void failAll(java.util.function.Supplier<TransportServicesException> error) {
        if (!receiveWaits()) {
            releaseAll();
        } else {
            failAll(error.get());
        }
    }

    void failAll(TransportServicesException error) {
        ReceiveRequest request;
        while ((request = pollRequest()) != null) {
            ReceiveRequest failed = request;
            observeReceiveError(error);
            connection().emit(
                    () -> connection().handler().receiveError(connection(), MessageContext.create(), error),
                    () -> failed.fail(error));
        }
        releaseAll();
    }

    /** Establishment failed: outstanding Receives fail with it, without their own ReceiveError. */
    void failAllSilently(TransportServicesException error) {
        ReceiveRequest request;
        while ((request = pollRequest()) != null) {
            request.fail(error);
        }
        releaseAll();
    }

    private void observeReceiveError(TransportServicesException error) {
        TransportObserver observer = connection().observer();
        if (observer != TransportObserver.NONE) {
            observer.error(connection(), TransportObserver.ErrorKind.RECEIVE, error.reason());
        }
    }
}

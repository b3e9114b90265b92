package io.taps.internal.conn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.internal.MessageAccess;
import io.taps.internal.SendHeadroom;
import io.taps.monitor.TransportObserver;
import io.taps.properties.CapacityProfile;
import io.taps.properties.ConnectionState;
import io.taps.properties.Direction;
import io.taps.properties.Limit;
import io.taps.properties.MessageProperties;
import io.taps.properties.Property;
import io.taps.properties.Timeout;
import io.taps.spi.StackCapabilities;
import io.taps.spi.Support;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The sending half of a Connection (RFC 9622 §9.2): admission, taps' own send queue while the
 * link cannot take more, writes, Message lifetimes (Expired) and the 0-RTT Message of
 * InitiateWithSend. Every Send ends with exactly one of Sent, Expired or SendError. Runs on the
 * connection's event loop only.
 *
 * <p>Longer than 500 lines because: admission, queueing, partial-Message lifetimes and the
 * per-Message write buffers share the send queue and its in-flight list.
 *
 * <p>A layer of the Connection object ({@link TapsConnection}), on its own {@link SendQueue}: the
 * queue's fields and its own live in the Connection, with no object, header or references of
 * their own (one object less to touch per Send among thousands of Connections: issue 21 figure
 * 12). Only SendPath uses the queue's methods; the queue keeps its own rules and tests.
 */
abstract sealed class SendPath extends SendQueue permits InboundQueue {
    private static final MessageAccess MESSAGES = MessageAccess.get();
    /** Messages up to this size are copied into a pooled buffer to be written, larger ones wrapped. */
    static final int SMALL_MESSAGE = 2048;
    /** The steps of Sent and its Send's completion: constant, so raising Sent allocates nothing. */
    private static final EventDispatcher.Step<TapsConnection, MessageContext, PendingSend> SENT =
            (connection, context, pending) -> connection.handler().sent(connection, context);
    private static final EventDispatcher.Step<TapsConnection, MessageContext, PendingSend> SEND_DONE =
            (connection, context, pending) -> pending.succeed();

    /** What few Connections use (0-RTT, Messages in parts, a framer's failure), made on first use. */
    private RareTransfer rare;
    private volatile boolean finalSent;
    /**
     * Messages handed to the link whose write has not completed, oldest first. A ConnectionError
     * ends them with SendError before its terminal event, since the link may report their failed
     * writes only after it (nothing follows the terminal event, so they would end silently).
     * The oldest waits in a field and only the later ones in a deque made on first use: most
     * Connections have at most one write outstanding, and a deque is ~56 B of each (issue 21 item 4).
     */
    private PendingSend oldestInFlight;
    private ArrayDeque<PendingSend> laterInFlight;
    /**
     * {@link #OUTPUT_SHUTDOWN} and {@link #DRAINING}, one bit each: beside the volatile
     * {@link #finalSent}, one byte rather than booleans lets the references start earlier (issue 21
     * figure 12). Event loop only.
     */
    private byte flags;
    private static final int OUTPUT_SHUTDOWN = 1;
    /** Set while writeQueued drains the queue: its writes share one flush at the end. */
    private static final int DRAINING = 2;
    /**
     * Open StartBatch calls (RFC 9622 §9.2.4); above zero, writes wait for EndBatch's flush. A char (to
     * 65535; deeper calls flush early, as batching allows) keeps SendPath at 72 B (issue 21 figure 12).
     */
    private char batchDepth;

    SendPath(java.util.concurrent.Executor eventExecutor) {
        super(eventExecutor);
    }

    /** This layer's Connection: the object itself, whose other layers it calls by name. */
    private TapsConnection connection() {
        return (TapsConnection) this;
    }

    private boolean flag(int bit) {
        return (flags & bit) != 0;
    }

    private void flag(int bit, boolean on) {
        flags = (byte) (on ? flags | bit : flags & ~bit);
    }

    /** StartBatch (RFC 9622 §9.2.4, A-20): Messages sent until the matching EndBatch share one flush. */
    void openBatch() {
        batchDepth = (char) Math.min(Character.MAX_VALUE, batchDepth + 1);
    }

    /** EndBatch: when the outermost batch ends, what its Messages wrote goes out with one flush. */
    void closeBatch() {
        if (batchDepth == 0) {
            return;
        }
        if (--batchDepth == 0) {
            Link link = connection().link();
            if (link != null) {
                link.flush();
            }
        }
    }

    /** Ends every open batch, so Close does not wait for writes nobody flushes. */
    void endAllBatches() {
        if (batchDepth > 0) {
            batchDepth = 1;
            closeBatch();
        }
    }

    boolean finalSent() {
        return finalSent;
    }

    /** Nothing queued and nothing written but unconfirmed: the sending direction may end. */
    boolean drained() {
        return noSendQueued() && oldestInFlight == null;
    }

    /** Ends the sending direction once (FIN after close_notify); false when it already ended. */
    boolean shutdownOutputOnce(Runnable whenDone) {
        if (flag(OUTPUT_SHUTDOWN)) {
            return false;
        }
        flag(OUTPUT_SHUTDOWN, true);
        connection().link().shutdownOutputToClose(whenDone);
        return true;
    }

    /*
     * The Message whose parts are being written on a byte stream and which has not ended yet
     * (RareTransfer.openPartial), or null. Until it ends, other Messages are held back in the send
     * queue (bounded by sendQueueLimit like any queued send), so a framer sees its parts as one
     * Message and never frames another Message's bytes into it (issue 13, defect 5).
     *
     * One msgLifetime per Message sent in parts (RareTransfer.partials, issue 13, defect 5): the
     * deadline its first part set, by context identity, until its last part is submitted. A
     * Message whose first part is written is committed (openPartial): its other parts no longer
     * expire, so a framer never holds half a frame. An uncommitted one expires whole; its parts
     * submitted later are Expired at once: its entry then holds EXPIRED until its last part comes
     * (one map, not a set beside it). The shared empty map until the first part needs an entry:
     * most Connections never send in parts (issue 21 item 4).
     */
    private static final long EXPIRED = Long.MIN_VALUE;

    /** {@link #rare}, made now if it was not yet. */
    RareTransfer rareTransfer() {
        RareTransfer made = rare;
        if (made == null) {
            made = new RareTransfer();
            rare = made;
        }
        return made;
    }

    /** {@link #rare} if it was made, else null. */
    RareTransfer rareTransferIfMade() {
        return rare;
    }

    private MessageContext openPartial() {
        return rare == null ? null : rare.openPartial;
    }

    private Map<MessageContext, Long> partials() {
        return rare == null ? Collections.emptyMap() : rare.partials;
    }

    /** Forgets the deadline of a Message sent in parts once its last part came. */
    private void partEnded(MessageContext context) {
        if (rare != null && !rare.partials.isEmpty()) {
            rare.partials.remove(context);
        }
    }

    void submit(PendingSend pending) {
        if (terminated()) {
            pending.fail(closedError("send"));
            return;
        }
        MessageContext context = pending.context;
        boolean endOfMessage = pending.endOfMessage;
        PropertyStore store = connection().store;
        MessageProperties effective = context.properties().withDefaults(store.messageDefaults());
        Link link = connection().link();
        StackCapabilities stack = connection().stack();
        TransportServicesException refusal = SendAdmission.stateRefusal(finalSent, closing(),
                store.direction());
        if (refusal == null) {
            refusal = SendAdmission.messageRefusal(stack, link == null || link.byteStream(),
                    link == null ? -1 : link.maxMessageSize(), pending.size(), effective, endOfMessage);
        }
        if (refusal != null) {
            sendError(pending, refusal);
            return;
        }
        if (partials().getOrDefault(context, 0L) == EXPIRED) {
            // The rest of a Message that already expired whole: never sent alone (defect 5).
            if (endOfMessage) {
                partEnded(context);
            }
            connection().emit(() -> connection().handler().expired(connection(), context), () ->
                    pending.fail(new TransportServicesException(ErrorReason.TIMEOUT,
                            "an earlier part of this Message outlived its msgLifetime (Expired, RFC 9622 §9.2.2.2)")));
            return;
        }
        boolean isFinal = effective.get(Property.FINAL) && endOfMessage;
        pending.priority = effective.get(Property.MSG_PRIORITY);
        pending.ordered = effective.isSet(Property.MSG_ORDERED) ? effective.get(Property.MSG_ORDERED)
                : stack == null || stack.support(Property.PRESERVE_ORDER) == Support.ALWAYS;
        pending.isFinal = isFinal;
        pending.effective = effective;
        if (isFinal) {
            finalSent = true;
        }
        MessageContext openPartial = openPartial();
        boolean heldBack = openPartial != null && openPartial != context;
        boolean mustQueue = heldBack || state() != ConnectionState.ESTABLISHED || !noSendQueued()
                || !link.isWritable();
        if (!mustQueue) {
            if (endOfMessage) {
                partEnded(context);
            }
            write(pending);
            return;
        }
        TransportServicesException full = SendAdmission.queueRefusal(
                (Limit) store.get(Property.SEND_QUEUE_LIMIT), queuedSendBytes(), pending.size());
        if (full != null) {
            if (isFinal) {
                finalSent = false;
            }
            sendError(pending, full);
            return;
        }
        long lifetimeNanos = remainingLifetime(pending, effective.get(Property.MSG_LIFETIME));
        if (lifetimeNanos >= 0) {
            pending.expiry = connection().eventLoop().schedule(() -> expire(pending), lifetimeNanos,
                    TimeUnit.NANOSECONDS);
        }
        add(pending);
        if (openPartial() == context && state() == ConnectionState.ESTABLISHED) {
            // The next part of the open Message may be what the held-back Messages wait for.
            writeQueued();
        }
    }

    /**
     * 0-RTT (RFC 9622 §7.1 InitiateWithSend, §6.2.5 zeroRttMsg): the winning stack already sent
     * {@code message}, queued by InitiateWithSend, as early data; it is not written again, and its
     * Sent follows Ready. Call on the event loop before {@link TapsConnection#establish}.
     */
    public void sentAsEarlyData(Message message) {
        PendingSend pending = removeMessage(message);
        if (pending != null) {
            pending.cancelExpiry();
            rareTransfer().sentEarly = pending;
        }
    }

    /** Raises Sent for the 0-RTT Message, right after Ready. */
    void raiseEarlySent() {
        PendingSend early = rare == null ? null : rare.sentEarly;
        if (early != null) {
            rare.sentEarly = null;
            connection().emit(SENT, SEND_DONE, connection(), early.context, early);
        }
    }

    private void write(PendingSend pending) {
        pending.cancelExpiry();
        Link link = connection().link();
        // Only a Message that asks for it costs the path MTU lookup (a system call on UDP).
        TransportServicesException unsendable = !pending.effective.get(Property.NO_FRAGMENTATION)
                && !pending.effective.get(Property.NO_SEGMENTATION) ? null
                : SendAdmission.singularRefusal(connection().stack().name(), link.byteStream(),
                        link.byteStream() ? -1 : link.singularTransmissionMaxLen(), pending.size(), pending.effective);
        if (unsendable != null) {
            if (pending.isFinal) {
                finalSent = false;
            }
            sendError(pending, unsendable);
            return;
        }
        if (link.byteStream()) {
            if (!pending.endOfMessage) {
                rareTransfer().openPartial = pending.context;
            } else if (rare != null) {
                rare.openPartial = null;
            }
        }
        // A borrowed Message's Send carries its own reference to the bytes: written as it is.
        ByteBuf carried = pending.takeCarried();
        ByteBuf data = carried != null ? carried : outboundBuffer(link, MESSAGES.array(pending.message));
        addInFlight(pending);
        writeAndFlush(link, data, pending);
    }

    private void addInFlight(PendingSend pending) {
        if (oldestInFlight == null) {
            oldestInFlight = pending;
        } else {
            laterInFlight = LaterQueue.add(laterInFlight, pending);
        }
    }

    private PendingSend pollInFlight() {
        PendingSend oldest = oldestInFlight;
        oldestInFlight = laterInFlight == null ? null : laterInFlight.poll();
        return oldest;
    }

    private boolean removeInFlight(PendingSend pending) {
        if (pending == oldestInFlight) {
            pollInFlight();
            return true;
        }
        return laterInFlight != null && laterInFlight.remove(pending);
    }

    /** The write of {@code pending} completed: Sent, or SendError when {@code cause} is not null. */
    void written(PendingSend pending, Throwable cause) {
        if (!removeInFlight(pending)) {
            return; // already ended with SendError by the ConnectionError (failQueued)
        }
        if (cause == null) {
            int length = pending.size();
            // Read before Sent: a pooled Send is reused as soon as its Sent has been raised.
            boolean isFinal = pending.isFinal;
            connection().countSent(length);
            TransportObserver observer = connection().observer();
            if (observer != TransportObserver.NONE) {
                observer.messageSent(connection(), length);
            }
            connection().emit(SENT, SEND_DONE, connection(), pending.context, pending);
            if (isFinal) {
                connection().link().shutdownOutput(() -> { });
                flag(OUTPUT_SHUTDOWN, true);
            }
        } else {
            if (!(cause instanceof TransportServicesException)) {
                // An I/O failure of the flow (RST, a local timeout), not of this Message: it
                // names the ConnectionError that follows when the flow closes.
                connection().linkFailed(cause);
            }
            sendError(pending, cause instanceof TransportServicesException
                    ? (TransportServicesException) cause
                    : new TransportServicesException(ErrorReason.PROTOCOL_FAILED,
                            "the stack failed to send the message", cause));
        }
        connection().continueClosing();
    }

    /**
     * A Send for {@code message} that reports only through events (sendWithEvents): an idle one
     * from the event loop thread's {@link SendPool} when there is one, so the steady path makes
     * none per Message, and an idle Connection keeps none of its own. On the event loop.
     */
    PendingSend pooledSend(Message message, ByteBuf carried) {
        PendingSend send = SendPool.ofThisThread().poll();
        if (send == null) {
            return new PendingSend(this, message, carried, message.context(), message.endOfMessage(), true);
        }
        send.reuse(this, message, carried);
        return send;
    }

    /**
     * Takes back a pooled Send whose last event has been raised, into the event loop thread's
     * {@link SendPool}. Only on the event loop (a handler executor completes elsewhere: that Send
     * is left to the garbage collector); the pool keeps at most {@link SendPool#LIMIT}, so a burst
     * does not stay allocated.
     */
    void recycle(PendingSend send) {
        send.clear();
        if (!connection().eventLoop().inEventLoop()) {
            return;
        }
        send.pooled();
        SendPool.ofThisThread().offer(send);
    }

    /**
     * The bytes a Send of a borrowed {@code message} owns, taken on the sending thread (its
     * handler's, where it is checked readable) before the loan ends; null for an owned Message. A
     * small one is copied into a pooled direct buffer with room for a framer's header, as
     * {@link #outboundBuffer} copies an owned one: a copy of 2 KiB costs less than a retained slice
     * (a 48 B object per Message with Netty 4.2's adaptive allocator) and lets the framer write its
     * header in place. A larger one is a retained slice of the received buffer (no copy) when it
     * fills at least half of what the slice pins, the inbound queue's rule: the send queue's limit
     * counts payload, so a queued slice of a 64 KiB UDP buffer around 3 KiB must not be kept.
     */
    ByteBuf carriedBytes(Message message) {
        ByteBuf lent = MESSAGES.lentBytes(message);
        if (lent == null) {
            return null;
        }
        int length = lent.readableBytes();
        if (length == 0) {
            return Unpooled.EMPTY_BUFFER;
        }
        if (length > SMALL_MESSAGE && InboundQueue.retainedMemory(lent) <= 2L * length) {
            return lent.retainedSlice();
        }
        // Read without the event loop: a link not yet there (or not yet seen) leaves the default allocator.
        Link link = connection().link();
        ByteBuf copy = withHeadroom(link != null ? link.alloc() : ByteBufAllocator.DEFAULT, length);
        // By the lent buffer into the copy: Netty 4.2's adaptive buffer would copy from another through NIO views.
        lent.getBytes(lent.readerIndex(), copy, SendHeadroom.BYTES, length);
        return copy.writerIndex(SendHeadroom.BYTES + length);
    }

    /** An empty pooled direct buffer for {@code length} bytes after {@link SendHeadroom#BYTES} free in front. */
    private static ByteBuf withHeadroom(ByteBufAllocator alloc, int length) {
        ByteBuf buffer = alloc.ioBuffer(SendHeadroom.BYTES + length);
        return buffer.setIndex(SendHeadroom.BYTES, SendHeadroom.BYTES);
    }

    /**
     * The buffer that carries {@code bytes} down the link. A small Message is copied into a pooled
     * direct buffer of the link's allocator, whose object Netty recycles: copying 2 KiB costs less
     * than the wrapper objects of a view of the array (~104 B per Message: an echo server sends a new
     * Message each time, issue 21 figure 12) and the transport's own copy of a heap buffer into a
     * direct one; framers own the copy, as Framer.newSentMessage promises, not the application's
     * array. A larger Message is wrapped without a copy (read-only under framers, which must not
     * change the application's bytes), so a huge one never needs a second buffer of its size here.
     */
    private ByteBuf outboundBuffer(Link link, byte[] bytes) {
        if (bytes.length == 0) {
            return Unpooled.EMPTY_BUFFER;
        }
        if (bytes.length > SMALL_MESSAGE) {
            ByteBuf wrapped = Unpooled.wrappedBuffer(bytes);
            return link.framed() ? wrapped.asReadOnly() : wrapped;
        }
        if (!link.framed()) {
            return link.alloc().ioBuffer(bytes.length).writeBytes(bytes);
        }
        // Room in front for the framer's header, offered while the copy is written (SendHeadroom).
        return withHeadroom(link.alloc(), bytes.length).writeBytes(bytes);
    }

    /**
     * Writes and flushes one Send; its completion comes back to {@link #written}. A datagram whose
     * Message asks for its own capacity profile (msgCapacityProfile, RFC 9622 §9.1.3.8) or for no
     * fragmentation gets its own DSCP or the DF bit. A byte stream keeps the Connection's DSCP: RFC
     * 7657 §6 advises against changing it within a reliable flow, so msgCapacityProfile is a no-op
     * there. On a link that writes to a channel of its own the write takes the Send's reusable
     * {@link SendPromise} instead of making a promise per Message.
     */
    private void writeAndFlush(Link link, ByteBuf data, PendingSend pending) {
        if (link.byteStream() && !pending.effective.get(Property.MSG_RELIABLE)) {
            ChannelFuture unreliable = link.writeUnreliable(data, pending.context);
            if (unreliable != null) {
                unreliable.addListener(pending);
                return;
            }
        }
        if (!link.byteStream()) {
            Optional<CapacityProfile> profile = pending.effective.explicit(Property.MSG_CAPACITY_PROFILE);
            int dscp = profile.isPresent() && profile.get() != connection().store.get(Property.CONN_CAPACITY_PROFILE)
                    ? profile.get().dscp() : -1;
            boolean dontFragment = pending.effective.get(Property.NO_FRAGMENTATION)
                    || pending.effective.get(Property.NO_SEGMENTATION);
            if (dscp >= 0 || dontFragment) {
                link.writeDatagram(data, pending.context, dscp, dontFragment).addListener(pending);
                return;
            }
        }
        Channel channel = link.writeChannel();
        // Only a framed copy starts after its headroom (outboundBuffer); an application's wrapped array at 0.
        SendHeadroom headroom = data.readerIndex() == SendHeadroom.BYTES && link.framed() ? SendHeadroom.offer(data) : null;
        try {
            if (channel != null) {
                link.writeMessage(data, pending.context, pending.endOfMessage, pending.promiseFor(channel));
            } else {
                link.writeMessage(data, pending.context, pending.endOfMessage).addListener(pending);
            }
        } finally {
            if (headroom != null) {
                headroom.withdraw();
            }
        }
        if (batchDepth == 0 && !flag(DRAINING)) {
            link.flush();
        }
    }

    /** The link can take more (or no more): what waits in the send queue goes now. */
    @Override
    public void writabilityChanged() {
        writeQueued();
    }

    /** Writes queued messages while the stack accepts them; runs when Ready or writable again. */
    void writeQueued() {
        boolean wrote = false;
        flag(DRAINING, true);
        try {
            while (state() == ConnectionState.ESTABLISHED || state() == ConnectionState.CLOSING) {
                Link link = connection().link();
                if (link == null || !link.isWritable()) {
                    // Not a return: after a Final message the output is shut down and never writable
                    // again, and Close must still go on to its end (continueClosing checks the queue).
                    break;
                }
                PendingSend next = pollNext(openPartial());
                if (next == null) {
                    break;
                }
                write(next);
                wrote = true;
            }
        } finally {
            flag(DRAINING, false);
        }
        Link link = connection().link();
        if (wrote && batchDepth == 0 && link != null) {
            // One flush for everything the queue released (Netty's unwritable mark bounds it).
            link.flush();
        }
        continueClosing();
    }

    /**
     * The nanoseconds {@code pending} may wait, or -1 for no limit. The parts of one Message share
     * the lifetime of its first part; the parts of a committed Message (one part written) have none.
     */
    private long remainingLifetime(PendingSend pending, Timeout lifetime) {
        MessageContext context = pending.context;
        if (openPartial() == context) {
            if (pending.endOfMessage) {
                partEnded(context);
            }
            return -1;
        }
        Long deadline = partials().get(context);
        if (deadline == null) {
            deadline = lifetime.isNone() ? Long.MAX_VALUE : System.nanoTime() + lifetime.duration().toNanos();
            if (!pending.endOfMessage) {
                RareTransfer made = rareTransfer();
                if (made.partials.isEmpty()) {
                    made.partials = new IdentityHashMap<>(4);
                }
                made.partials.put(context, deadline);
            }
        } else if (pending.endOfMessage) {
            partEnded(context);
        }
        return deadline == Long.MAX_VALUE ? -1 : Math.max(0, deadline - System.nanoTime());
    }

    private void expire(PendingSend pending) {
        if (openPartial() == pending.context) {
            pending.expiry = null; // committed: its first part is on the wire, the rest must follow
            return;
        }
        if (!remove(pending)) {
            return;
        }
        List<PendingSend> expired = new ArrayList<>();
        expired.add(pending);
        expired.addAll(removeParts(pending.context));
        Map<MessageContext, Long> partials = partials();
        if (partials.remove(pending.context) != null && expired.stream().noneMatch(part -> part.endOfMessage)) {
            partials.put(pending.context, EXPIRED); // the map that held its deadline
        }
        for (PendingSend part : expired) {
            part.cancelExpiry();
            raiseExpired(part);
        }
        connection().continueClosing();
    }

    private void raiseExpired(PendingSend pending) {
        pending.expiry = null;
        if (pending.isFinal) {
            finalSent = false;
        }
        connection().emit(() -> connection().handler().expired(connection(), pending.context), () -> {
            pending.fail(new TransportServicesException(ErrorReason.TIMEOUT,
                    "msgLifetime ended before the message could be sent (Expired, RFC 9622 §9.2.2.2)"));
        });
    }

    /** Ends every Send not yet Sent (written but unconfirmed, then queued) with SendError {@code error}. */
    void failQueued(TransportServicesException error) {
        PendingSend unconfirmed;
        while ((unconfirmed = pollInFlight()) != null) {
            // Its write is unreported: the link may still report it to this Send (as its listener),
            // so a pooled one must never serve another Connection (SendPool): it is not pooled again.
            PendingSend abandoned = unconfirmed;
            sendError(abandoned, error, () -> abandoned.failUnreported(error));
        }
        for (PendingSend pending : drainAll()) {
            pending.cancelExpiry();
            sendError(pending, error);
        }
    }

    /** sends queued before Ready fail with the establishment, without their own SendError. */
    void failQueuedSilently(TransportServicesException error) {
        for (PendingSend pending : drainAll()) {
            pending.cancelExpiry();
            pending.fail(error);
        }
    }

    private void sendError(PendingSend pending, TransportServicesException error) {
        sendError(pending, error, () -> pending.fail(error));
    }

    private void sendError(PendingSend pending, TransportServicesException error, Runnable end) {
        TransportObserver observer = connection().observer();
        if (observer != TransportObserver.NONE) {
            observer.error(connection(), TransportObserver.ErrorKind.SEND, error.reason());
        }
        MessageContext context = pending.context;
        boolean raised = connection().emit(() -> connection().handler().sendError(connection(), context, error), end);
        if (!raised) {
            end.run();
        }
    }

    /** Whether Send is still possible, for canSend (RFC 9622 §8.1.11.2). */
    boolean canSend(Direction direction) {
        return !finalSent && direction != Direction.UNIDIRECTIONAL_RECEIVE;
    }
}

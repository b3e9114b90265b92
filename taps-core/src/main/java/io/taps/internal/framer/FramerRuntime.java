package io.taps.internal.framer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.Framer;
import io.taps.framer.FramerContext;
import io.taps.internal.MessageAccess;
import io.taps.internal.ReceivedContexts;
import io.taps.properties.Role;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Runs one {@link Framer} (RFC 9623 §6) and is its {@link FramerContext}, on behalf of the
 * pipeline handler it is hosted by ({@link FramerHost}): the taps handler itself for the only
 * framer of a TCP or TLS Connection, so that one framer costs no pipeline handler nor context
 * (64 B and a 48 B handler of every framed Connection, issue 21 figure 12), or a
 * {@link FramerHandler} of its own in a chain of framers, on a QUIC stream and for a framer
 * prepended below another (STARTTLS-style). It reaches the channel through its host's context:
 * what it delivers or lets through goes to the host ({@link FramerHost#framerRead}), what it
 * sends down from there.
 *
 * <p>Receive side: network buffers (or the Messages of the framer below, taken as a byte stream)
 * are kept as a queue of buffers, never merged ({@link FramerInput}); {@link #parse} returns read-only views,
 * deliveries are retained slices of those buffers (a composite of slices when a Message spans
 * buffers), so no payload byte is copied. Earmarked bytes go up as they arrive. Send side: the
 * buffers a framer sends for one Message are written as one composite with the Message's promise.
 *
 * <p>Memory: the unparsed input is bounded by the framer's own limit (the built-in framers fail
 * the Connection past their maxMessageSize before buffering more) and, as a last resort, by
 * {@link #MAX_UNPARSED}, before the framer starts too.
 *
 * <p>The only framer of a channel is also its {@link FramerStack} (no stack object kept).
 *
 * <p>Longer than 500 lines because: it implements the whole RFC 9623 §6 FramerContext for one
 * framer (send and receive cursors, deliver/advance, start and stop, failures),
 * whose callbacks share the cursors and flags; the input queue and cursor moved to
 * {@link FramerInput}, what is seldom held to {@link RareState}.
 */
public final class FramerRuntime extends FramerInput implements FramerContext, FramerStack {
    /** Unparsed input above which taps fails the Connection whatever the framer does. */
    static final long MAX_UNPARSED = 64L << 20;
    /** Consecutive framer calls that consume nothing after which taps gives up on the framer. */
    static final int MAX_IDLE_CALLS = 100_000;
    private static final MessageAccess MESSAGES = MessageAccess.get();
    private static final Role[] ROLES = Role.values();

    /*
     * Every Connection with a framer keeps this runtime, so it keeps only what a framed echo of
     * whole Messages uses (32 B, was 96: issue 21 figure 12); the rest is in a RareState made on
     * first need and dropped when idle again.
     */
    private final Framer framer;
    /** The context of the handler hosting this runtime: its FramerHandler, or the taps handler. */
    private ChannelHandlerContext ctx;
    /**
     * This runtime's state flags, one bit each ({@link #flag(int)}), its Role and its call depth:
     * thirteen booleans, an int depth and a long progress count were 28 B of every Connection
     * with a framer, one int is 4 (issue 21 figure 12). Event loop only.
     */
    private int flags;
    private static final int EARMARK_END = 1 << 0;
    private static final int STARTED = 1 << 1;
    private static final int READY = 1 << 2;
    private static final int PASSTHROUGH = 1 << 3;
    private static final int FAILED = 1 << 4;
    private static final int STOPPED = 1 << 5;
    private static final int INPUT_ENDED = 1 << 6;
    /** The Connection paused reading ({@link ReceivePause}): no parsing until it resumes. */
    private static final int PAUSED = 1 << 7;
    /** The peer's end of input, held while paused input before it is still unparsed. */
    private static final int INPUT_SHUTDOWN_HELD = 1 << 8;
    private static final int END_CHECKED = 1 << 9;
    private static final int COLLECTING = 1 << 10;
    private static final int PROCESSING = 1 << 11;
    private static final int FLUSH_NEEDED = 1 << 12;
    /** The framer's current handleReceivedData call moved the cursor, delivered or changed mode. */
    private static final int PROGRESSED = 1 << 13;
    /** The only framer, started, its outcome told: it keeps no {@link FramerChain}. */
    private static final int SETTLED = 1 << 14;
    /** Hosted by the taps handler, not by a FramerHandler of its own ({@link FramerStack#installHosted}). */
    private static final int HOSTED = 1 << 19;
    private static final int ROLE_SHIFT = 15;
    private static final int ROLE_MASK = 3 << ROLE_SHIFT;
    /** A {@link RareState} was made once; made again, it is kept ({@link #KEEP_RARE}). */
    private static final int RARE_MADE = 1 << 17;
    /**
     * The {@link RareState} stays when idle: needed twice, it is likely needed per Message (a peer
     * writing header and body apart earmarks every body), and making one per Message is garbage on
     * the steady path (issue 21: SteadyStateAllocationTest's framed round trip read 105-189 B, a
     * RareState and its queue per round trip when the echo's body came in a read of its own).
     */
    private static final int KEEP_RARE = 1 << 18;
    /** The depth of this runtime's framer calls (flushes wait for the outermost), in the top bits. */
    private static final int DEPTH_UNIT = 1 << 20;

    /** A runtime for {@code framer}; {@code chain} null when it is the only framer of its channel. */
    FramerRuntime(Framer framer, Role role, FramerChain chain) {
        this.framer = framer;
        this.flags = role.ordinal() << ROLE_SHIFT;
        if (chain != null) {
            rare().chain = chain;
        }
    }

    /** Marks this only framer as hosted by the taps handler ({@link FramerStack#installHosted}). */
    FramerRuntime hosted() {
        flag(HOSTED, true);
        return this;
    }

    /** Whether the taps handler hosts this runtime (no FramerHandler of its own in the pipeline). */
    public boolean isHosted() {
        return flag(HOSTED);
    }

    /** The handler that hosts this runtime, which gets what it passes up. */
    private FramerHost host() {
        return (FramerHost) ctx.handler();
    }

    private boolean flag(int bit) {
        return (flags & bit) != 0;
    }

    @Override
    void rareMade() {
        if (flag(SETTLED)) { // the ones made for start-up (its chain) do not count
            flag(flag(RARE_MADE) ? KEEP_RARE : RARE_MADE, true);
        }
    }

    @Override
    boolean keepsRare() {
        return flag(KEEP_RARE);
    }

    private void flag(int bit, boolean on) {
        flags = on ? flags | bit : flags & ~bit;
    }

    private FramerChain chain() {
        return rare == null ? null : rare.chain;
    }

    /** The chain, made for this one framer when it has none (before its start, or to add a framer below it). */
    private FramerChain madeChain() {
        RareState state = rare();
        if (state.chain == null) {
            state.chain = FramerChain.solo(this, flag(SETTLED));
        }
        return state.chain;
    }

    /** Called by the chain of this only framer once the outcome is told: the chain is not kept. */
    void settle(FramerChain chain) {
        if (rare != null && rare.chain == chain) {
            rare.chain = null;
            flag(SETTLED, true);
            dropRareIfIdle();
        }
    }

    boolean ready() {
        return flag(READY);
    }

    @Override
    public void start(Runnable whenReady, Consumer<TransportServicesException> whenFailed) {
        madeChain().start(whenReady, whenFailed);
    }

    private boolean isLowest() {
        FramerChain chain = chain();
        return chain == null || chain.isLowest(this);
    }

    private boolean outcomeReported() {
        FramerChain chain = chain();
        return chain == null ? flag(SETTLED) : chain.outcomeReported();
    }

    /** The largest Message this runtime's framer handles, -1 for no limit (RFC 9622 §8.1.11.5). */
    long maxMessageSize() {
        return framer.maxMessageSize();
    }

    /** Its host was added to the pipeline: {@code context} is how this runtime reaches the channel. */
    public void attach(ChannelHandlerContext context) {
        this.ctx = context;
    }

    // ------------------------------------------------------------------ lifecycle

    /** Start (RFC 9623 §6.1) of this runtime's framer, by its chain. */
    void startFramer() {
        if (flag(STARTED) || flag(FAILED)) {
            return;
        }
        flag(STARTED, true);
        enter();
        try {
            framer.start(this);
        } catch (Throwable thrown) {
            framerThrew("start", thrown);
        } finally {
            exit();
        }
        runHandoff();
        if (!flag(FAILED) && !flag(PASSTHROUGH)) {
            process();
        }
    }

    /** The channel went inactive: the flow is gone, the framer stops (its host then passes the event on). */
    public void inactive() {
        stop();
    }

    /** Its host left the pipeline (or the channel was torn down): stops and releases the input. */
    public void removed() {
        stop();
        releaseInput();
    }

    private void stop() {
        if (flag(STOPPED)) {
            return;
        }
        flag(STOPPED, true);
        if (flag(STARTED)) {
            try {
                framer.stop(this);
            } catch (Throwable ignored) {
                // The flow is gone; a framer failing to clean up cannot change that.
            }
        }
        releaseInput();
        if (rare != null) {
            // A shared built-in framer releases these in its stop; a framer that threw there did not.
            rare.releaseHeldParts();
        }
    }

    // ------------------------------------------------------------------ receive side

    /** What its host read: bytes or the Messages of the framer below are this framer's input, the rest passes up. */
    public void read(Object message) {
        if (message instanceof ByteBuf) {
            receive((ByteBuf) message, RAW);
        } else if (message instanceof FramedMessage) {
            FramedMessage framed = (FramedMessage) message;
            if (flag(PASSTHROUGH) && !flag(FAILED) && !flag(STOPPED) && earmark() == 0) {
                // Stepped aside: the Messages of the framer below pass unchanged.
                host().framerRead(ctx, framed);
                return;
            }
            // The Messages of the framer below form this framer's byte stream.
            receive(framed.content(), new Origin(framed.context(), framed.endOfMessage()));
        } else {
            host().framerRead(ctx, message);
        }
    }

    private void receive(ByteBuf data, Origin origin) {
        if (flag(FAILED) || flag(STOPPED)) {
            data.release();
            return;
        }
        // The earmark is served before passthrough: a framer may deliver a Message longer than what
        // arrived and step aside in the same call; those bytes still end that Message.
        if (earmark() > 0 && data.isReadable()) {
            RareState state = rare;
            int now = (int) Math.min(state.earmark, data.readableBytes());
            ByteBuf piece = data.readRetainedSlice(now);
            state.earmark -= now;
            MessageContext context = state.earmarkContext;
            if (state.earmark == 0) {
                state.earmarkContext = null;
            }
            fireUp(piece, context, state.earmark == 0 && flag(EARMARK_END));
        }
        if (!data.isReadable() || flag(FAILED) || flag(STOPPED)) {
            data.release();
        } else if (flag(PASSTHROUGH)) {
            fireRest(data, origin);
            return;
        } else if (!flag(STARTED) && available() + (long) data.readableBytes() > MAX_UNPARSED) {
            // Nothing parses before the start: the bound is kept here, not after parsing.
            data.release();
            failConnection(ErrorReason.MESSAGE_TOO_LARGE, "more than taps' limit of " + MAX_UNPARSED
                    + " received bytes arrived before the framer " + framerName() + " started");
            return;
        } else {
            addInput(data, origin);
        }
        if (flag(STARTED)) {
            process();
        }
        dropRareIfIdle();
    }

    /** Calls the framer while it makes progress on the bytes at the cursor. */
    private void process() {
        if (flag(PROCESSING)) {
            return;
        }
        flag(PROCESSING, true);
        enter();
        int idle = 0;
        try {
            while (!flag(FAILED) && !flag(PASSTHROUGH) && !flag(STOPPED) && !flag(PAUSED) && earmark() == 0
                    && (available() > 0 || flag(INPUT_ENDED) && !flag(END_CHECKED))) {
                flag(PROGRESSED, false);
                int availableBefore = available();
                boolean endBefore = flag(INPUT_ENDED);
                try {
                    framer.handleReceivedData(this);
                } catch (Throwable thrown) {
                    framerThrew("handleReceivedData", thrown);
                    break;
                }
                runHandoff();
                boolean stalled = !flag(PROGRESSED) && available() == availableBefore;
                if (flag(INPUT_ENDED) && endBefore && stalled) {
                    flag(END_CHECKED, true);
                }
                if (stalled) {
                    break;
                }
                // Progress without consuming input (e.g. empty Messages) must end some time.
                idle = available() < availableBefore ? 0 : idle + 1;
                if (idle > MAX_IDLE_CALLS) {
                    failConnection(ErrorReason.DEFRAMING_FAILED, "the framer " + framerName() + " was called "
                            + idle + " times without consuming input");
                    break;
                }
            }
            if (!flag(FAILED) && !flag(PASSTHROUGH) && !flag(STOPPED) && available() > MAX_UNPARSED) {
                failConnection(ErrorReason.MESSAGE_TOO_LARGE, "the framer " + framerName() + " left " + available()
                        + " received bytes unparsed, more than taps' limit of " + MAX_UNPARSED);
            }
            if (flag(INPUT_ENDED) && !flag(PAUSED) && !flag(FAILED) && !flag(PASSTHROUGH) && !flag(STOPPED)
                    && (available() > 0 || earmark() > 0)) {
                failConnection(ErrorReason.DEFRAMING_FAILED, truncation());
            }
        } finally {
            flag(PROCESSING, false);
            exit();
        }
        dropRareIfIdle();
    }

    private String truncation() {
        if (earmark() > 0) {
            return "the peer ended the stream inside a Message: " + earmark() + " bytes of it never arrived (framer "
                    + framerName() + ")";
        }
        return "the peer ended the stream inside a frame: " + available() + " bytes of an incomplete frame are left"
                + " (framer " + framerName() + ")";
    }

    /**
     * A user event its host got: pauses, resumes and the end of input act on the parsing; every
     * event then goes on to the host ({@link FramerHost#framerEvent}), the end of input after the
     * Messages before it.
     */
    public void userEvent(Object event) throws Exception {
        if (event == ReceivePause.PAUSE) {
            flag(PAUSED, true);
        } else if (event == ReceivePause.RESUME && flag(PAUSED)) {
            flag(PAUSED, false);
            if (flag(STARTED) && !flag(PASSTHROUGH) && !flag(FAILED)) {
                process();
            }
            if (flag(INPUT_SHUTDOWN_HELD)
                    && (!flag(PAUSED) || available() == 0 || flag(FAILED) || flag(STOPPED) || flag(PASSTHROUGH))) {
                flag(INPUT_SHUTDOWN_HELD, false);
                host().framerEvent(ctx, ChannelInputShutdownEvent.INSTANCE);
            }
        } else if (event == ChannelInputShutdownEvent.INSTANCE && !flag(INPUT_ENDED)) {
            flag(INPUT_ENDED, true);
            if (flag(STARTED) && !flag(PASSTHROUGH) && !flag(FAILED)) {
                process();
                if (!flag(PROCESSING) && earmark() > 0 && !flag(FAILED)) {
                    failConnection(ErrorReason.DEFRAMING_FAILED, truncation());
                }
            }
            if (flag(PAUSED) && available() > 0 && !flag(FAILED) && !flag(STOPPED) && !flag(PASSTHROUGH)) {
                // The Messages still in the paused input come before the peer's end.
                flag(INPUT_SHUTDOWN_HELD, true);
                return;
            }
        }
        host().framerEvent(ctx, event);
    }

    private void fireUp(ByteBuf data, MessageContext context, boolean endOfMessage) {
        // Delivered at once on the event loop; whoever keeps it keeps a detached copy (issue 21).
        if (!ctx.executor().inEventLoop()) {
            host().framerRead(ctx, new FramedMessage(data, context, endOfMessage));
            return;
        }
        // The event loop thread's holder, not one per runtime (FramedMessage.carryUp).
        FramedMessage message = FramedMessage.carryUp(data, context, endOfMessage);
        try {
            host().framerRead(ctx, message);
        } finally {
            if (message.isCarrier()) {
                message.done();
            }
        }
    }

    @Override
    public ByteBuf parse(int minimumIncompleteLength, int maximumLength) {
        checkNotEarmarked("parse");
        if (minimumIncompleteLength < 0 || maximumLength < minimumIncompleteLength) {
            throw new IllegalArgumentException("parse needs 0 <= minimum <= maximum, got " + minimumIncompleteLength
                    + ", " + maximumLength);
        }
        return available() < minimumIncompleteLength ? null : view((int) Math.min(available(), maximumLength));
    }

    /**
     * The {@code bytes}-wide unsigned field at the receive cursor (at least that many are
     * available), read where it lies when the head buffer holds it whole: {@link #parse} without
     * the view, for {@link HeaderCodec#peekLength}.
     */
    long peekField(int bytes, boolean littleEndian) {
        checkNotEarmarked("parse");
        return readField(bytes, littleEndian);
    }

    @Override
    public int readableBytes() {
        return (int) Math.min(Integer.MAX_VALUE, available());
    }

    @Override
    public void advanceReceiveCursor(int length) {
        checkNotEarmarked("advanceReceiveCursor");
        if (length < 0 || length > available()) {
            throw new IllegalArgumentException("cannot advance the receive cursor by " + length + ": " + available()
                    + " bytes are available");
        }
        skip(length);
        flag(PROGRESSED, true);
    }

    @Override
    public void deliverAndAdvanceReceiveCursor(MessageContext messageContext, long length, boolean endOfMessage) {
        checkNotEarmarked("deliverAndAdvanceReceiveCursor");
        if (length < 0) {
            throw new IllegalArgumentException("cannot deliver a negative length: " + length);
        }
        int now = (int) Math.min(length, available());
        flag(PROGRESSED, true);
        if (now < length) {
            RareState state = rare();
            state.earmark = length - now;
            state.earmarkContext = messageContext;
            flag(EARMARK_END, endOfMessage);
        }
        if (now > 0 || length == 0) {
            ByteBuf piece = take(now, ctx.alloc());
            fireUp(piece, messageContext, endOfMessage && now == length);
        }
    }

    @Override
    public void deliver(MessageContext messageContext, ByteBuf data, boolean endOfMessage) {
        if (flag(FAILED) || flag(STOPPED)) {
            data.release();
            return;
        }
        fireUp(data, messageContext, endOfMessage);
    }

    private void checkNotEarmarked(String call) {
        if (earmark() > 0) {
            throw new IllegalStateException(call + " while " + earmark() + " earmarked bytes are still to arrive");
        }
    }

    @Override
    public MessageContext receivedContext() {
        // The channel's addresses, made endpoints only if read; the context is the event loop's for
        // the links active lately, not kept by every Connection (32 B of each, issue 21 figure 12).
        return ReceivedContexts.of(socketAddress(ctx.channel().remoteAddress()),
                socketAddress(ctx.channel().localAddress()));
    }

    private static InetSocketAddress socketAddress(Object address) {
        return address instanceof InetSocketAddress ? (InetSocketAddress) address : null;
    }

    @Override
    public boolean inputEnded() {
        return flag(INPUT_ENDED);
    }

    // ------------------------------------------------------------------ send side

    /**
     * Frames (a part of) one Message the application sent and writes the result down from its
     * host, reporting to {@code promise}; event loop only. The payload's one reference is the
     * framer's.
     */
    public void write(ByteBuf content, MessageContext messageContext, boolean endOfMessage, ChannelPromise promise) {
        if (flag(PASSTHROUGH)) {
            if (isLowest()) {
                ctx.write(content, promise);
            } else {
                ctx.write(new FramedMessage(content, messageContext, endOfMessage), promise);
            }
            return;
        }
        if (flag(FAILED) || flag(STOPPED)) {
            content.release();
            promise.setFailure(new TransportServicesException(ErrorReason.CONNECTION_CLOSED,
                    "the framer " + framerName() + " has failed or stopped"));
            return;
        }
        // What the framer sends now is collected by the thread, not kept in a field of every
        // runtime (CollectedSend); COLLECTING is set again after a write nested in this one.
        boolean framingAnother = flag(COLLECTING);
        flag(COLLECTING, true);
        CollectedSend collected = CollectedSend.open(this);
        try {
            framer.newSentMessage(this, content, messageContext, endOfMessage);
        } catch (Throwable thrown) {
            flag(COLLECTING, framingAnother);
            collected.release();
            promise.setFailure(thrown instanceof TransportServicesException ? thrown
                    : new TransportServicesException(ErrorReason.PROTOCOL_FAILED,
                            "the framer " + framerName() + " failed to frame the message: " + thrown, thrown));
            return;
        }
        flag(COLLECTING, framingAnother);
        if (flag(FAILED) || flag(STOPPED)) {
            // The framer failed the Connection (or the flow ended) while framing this Message:
            // nothing goes to the network after FailConnection, and the Message is not Sent.
            collected.release();
            promise.setFailure(new TransportServicesException(ErrorReason.CONNECTION_CLOSED,
                    "the framer " + framerName() + " has failed or stopped"));
            return;
        }
        ByteBuf framed = collected.finish(ctx.alloc());
        if (framed == null) {
            // Held by the framer (e.g. a part of a Message it frames whole); accepted, so Sent.
            promise.setSuccess();
            return;
        }
        writeDown(framed, messageContext, endOfMessage, promise);
    }

    /**
     * Holds a flush asked for while this framer is delivering what one read brought (or is in any
     * other call of its framer): the Messages the application sends from its Received handlers
     * then leave with one flush when the call returns, in one system call (and, under TLS, in as
     * few records as they fit), not one each. The wait is bounded by the current call, which ends
     * with that flush ({@link #exit}); the writes themselves keep their order. Raw Netty offers
     * the same as FlushConsolidationHandler; without it each of 64 pipelined responses costs a
     * send(2) (issue 21, figure 3). True when the flush is held; event loop only.
     */
    public boolean holdsFlush() {
        if (depth() > 0) {
            flag(FLUSH_NEEDED, true);
            return true;
        }
        return false;
    }

    private void writeDown(ByteBuf data, MessageContext context, boolean endOfMessage, ChannelPromise promise) {
        if (isLowest()) {
            ctx.write(data, promise);
        } else {
            ctx.write(new FramedMessage(data, context, endOfMessage), promise);
        }
    }

    @Override
    public void send(ByteBuf data) {
        if (flag(COLLECTING)) {
            CollectedSend collected = CollectedSend.of(this);
            if (collected != null) {
                collected.add(data);
                return;
            }
            // Sent from another thread while the event loop frames a Message: a send of its own
            // once that write is done, as a send outside newSentMessage would be.
            ctx.executor().execute(() -> send(data));
            return;
        }
        if (flag(FAILED) || flag(STOPPED)) {
            data.release();
            return;
        }
        writeDown(data, MessageContext.create(), true, ctx.newPromise());
        if (depth() > 0) {
            flag(FLUSH_NEEDED, true);
        } else {
            ctx.flush();
        }
    }

    // ------------------------------------------------------------------ control

    @Override
    public void makeConnectionReady() {
        if (!flag(READY)) {
            flag(READY, true);
            FramerChain chain = chain();
            if (chain != null) {
                // Without a chain this only framer is settled, or not started: its start counts it ready.
                chain.runtimeReady();
            }
        }
    }

    @Override
    public void makeConnectionClosed() {
        if (flag(FAILED)) {
            return;
        }
        if (!outcomeReported()) {
            failConnection(ErrorReason.ESTABLISHMENT_FAILED, "the framer " + framerName()
                    + " closed the connection before it was ready");
            return;
        }
        host().framerRead(ctx, FramingSignal.CLOSE);
    }

    @Override
    public void failConnection(TransportServicesException error) {
        if (flag(FAILED)) {
            return;
        }
        flag(FAILED, true);
        releaseInput();
        if (rare != null) {
            rare.earmark = 0;
            rare.earmarkContext = null;
        }
        if (outcomeReported() || !madeChain().failBeforeReady(error)) {
            host().framerRead(ctx, FramingSignal.failure(error));
        }
    }

    private void framerThrew(String event, Throwable thrown) {
        failConnection(thrown instanceof TransportServicesException ? (TransportServicesException) thrown
                : new TransportServicesException(ErrorReason.DEFRAMING_FAILED,
                        "the framer " + framerName() + " threw in " + event + ": " + thrown, thrown));
    }

    @Override
    public void prependFramer(Framer below) {
        FramerChain chain = madeChain();
        FramerRuntime added = new FramerRuntime(below, role(), chain);
        chain.insertBelow(this, added);
        // Below this framer's host (the taps handler, or this framer's own FramerHandler).
        ctx.pipeline().addBefore(ctx.name(), chain.nextName(), new FramerHandler(added));
        // Bytes this framer has not consumed belong to the new framer now (STARTTLS-style). They
        // are handed over once the framer's current call returns, so that what the new framer
        // delivers meets this framer in its new mode (e.g. passthrough).
        ArrayDeque<ByteBuf> rest = new ArrayDeque<>(Math.max(2, inputBuffers()));
        ByteBuf unparsed;
        while ((unparsed = pollInput()) != null) {
            rest.add(unparsed);
        }
        flag(PROGRESSED, true);
        boolean ended = flag(INPUT_ENDED);
        Runnable previous = rare().handoff;
        rare().handoff = () -> {
            if (previous != null) {
                previous.run();
            }
            if (chain.started()) {
                added.startFramer();
            }
            for (ByteBuf buffer : rest) {
                added.receive(buffer, RAW);
            }
            if (ended && !added.flag(INPUT_ENDED)) {
                added.flag(INPUT_ENDED, true);
                if (added.flag(STARTED)) {
                    added.process();
                }
            }
        };
        if (depth() == 0) {
            runHandoff();
        }
    }

    private void runHandoff() {
        if (rare == null) {
            return;
        }
        Runnable pending = rare.handoff;
        rare.handoff = null;
        if (pending != null) {
            pending.run();
        }
    }

    @Override
    public void startPassthrough() {
        if (flag(PASSTHROUGH)) {
            return;
        }
        flag(PASSTHROUGH, true);
        flag(PROGRESSED, true);
        ByteBuf buffer;
        while (inputHead != null) {
            Origin origin = headOrigin();
            buffer = pollInput();
            fireRest(buffer, origin);
        }
    }

    /** Passes up input this framer stepped aside from: raw bytes as such, parts of lower Messages as those. */
    private void fireRest(ByteBuf data, Origin origin) {
        if (origin == RAW) {
            host().framerRead(ctx, data);
        } else {
            host().framerRead(ctx, new FramedMessage(data, origin.context(), origin.endOfMessage()));
        }
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public ScheduledExecutorService executor() {
        return ctx.executor();
    }

    @Override
    public Role role() {
        return ROLES[(flags & ROLE_MASK) >>> ROLE_SHIFT];
    }

    @Override
    public Optional<RemoteEndpoint> remoteEndpoint() {
        return Optional.ofNullable(socketAddress(ctx.channel().remoteAddress())).map(RemoteEndpoint::of);
    }

    @Override
    public Optional<LocalEndpoint> localEndpoint() {
        return Optional.ofNullable(socketAddress(ctx.channel().localAddress()))
                .map(local -> LocalEndpoint.ofAddress(local.getAddress(), local.getPort()));
    }

    private void enter() {
        flags += DEPTH_UNIT;
    }

    private void exit() {
        flags -= DEPTH_UNIT;
        if (depth() == 0 && flag(FLUSH_NEEDED)) {
            flag(FLUSH_NEEDED, false);
            ctx.flush();
        }
    }

    private int depth() {
        return flags >>> 20;
    }

    private String framerName() {
        return framer.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "FramerRuntime[" + framerName() + "]";
    }
}

package io.taps.internal.framer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.framer.Framer;
import io.taps.framer.FramerContext;
import io.taps.internal.MessageAccess;
import io.taps.properties.Role;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Runs one {@link Framer} in a channel pipeline (RFC 9623 §6) and is its {@link FramerContext}.
 *
 * <p>Receive side: network buffers (or the Messages of the framer below, taken as a byte stream)
 * are kept as a queue of buffers, never merged; {@link #parse} returns read-only views,
 * deliveries are retained slices of those buffers (a composite of slices when a Message spans
 * buffers), so no payload byte is copied. Earmarked bytes go up as they arrive. Send side: the
 * buffers a framer sends for one Message are written as one composite with the Message's promise.
 *
 * <p>Memory: the unparsed input is bounded by the framer's own limit (the built-in framers fail
 * the Connection past their maxMessageSize before buffering more) and, as a last resort, by
 * {@link #MAX_UNPARSED}.
 *
 * <p>Longer than 500 lines because: it implements the whole RFC 9623 §6 FramerContext for one
 * framer in the pipeline (send and receive cursors, deliver/advance, start and stop, failures),
 * whose callbacks share the cursors; a split is planned with the framer rework.
 */
final class FramerHandler extends ChannelDuplexHandler implements FramerContext {
    /** Unparsed input above which taps fails the Connection whatever the framer does. */
    static final long MAX_UNPARSED = 64L << 20;
    /** Consecutive framer calls that consume nothing after which taps gives up on the framer. */
    static final int MAX_IDLE_CALLS = 100_000;
    private static final MessageAccess MESSAGES = MessageAccess.get();

    private final FramerStack stack;
    private final Framer framer;
    /**
     * The unparsed input: its head buffer, and the buffers after it in a deque made on first use
     * (a framer mostly parses what one read brought before the next arrives, and two deques are
     * ~110 B of every Connection, issue 21 item 4).
     */
    private ByteBuf inputHead;
    private ArrayDeque<ByteBuf> laterInput;
    /**
     * Where each input buffer came from, in step with it: {@link #RAW} for network bytes, else the
     * Message of the framer below it was (part of). startPassthrough hands the buffered rest up as
     * those Messages; as raw bytes their boundaries were lost (they merged with each other and with
     * the next Message).
     */
    private Origin inputHeadOrigin;
    private ArrayDeque<Origin> laterOrigins;
    /**
     * What the framer sent while framing one Message: the first buffer, and the others in a list
     * made on first use (the built-in framers send one; a list kept is ~48 B of every Connection).
     */
    private ByteBuf firstCollected;
    private ArrayList<ByteBuf> laterCollected;
    private ChannelHandlerContext ctx;
    /**
     * This handler's state flags, one bit each ({@link #flag(int)}): thirteen booleans were 16 B
     * of every Connection with a framer, one int is 4 (issue 21 figure 12). Event loop only.
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
    private long available;
    private long earmark;
    private MessageContext earmarkContext;
    private int depth;
    private long progress;
    private Runnable handoff;
    private MessageContext receivedContext;

    /** The Message of the framer below that a buffered input buffer belongs to. */
    private record Origin(MessageContext context, boolean endOfMessage) {
    }

    private static final Origin RAW = new Origin(null, false);

    FramerHandler(FramerStack stack, Framer framer) {
        this.stack = stack;
        this.framer = framer;
    }

    private boolean flag(int bit) {
        return (flags & bit) != 0;
    }

    private void flag(int bit, boolean on) {
        flags = on ? flags | bit : flags & ~bit;
    }

    /** The largest Message this handler's framer handles, -1 for no limit (RFC 9622 §8.1.11.5). */
    long maxMessageSize() {
        return framer.maxMessageSize();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    // ------------------------------------------------------------------ lifecycle

    void start() {
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

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        stop();
        super.channelInactive(context);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
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
    }

    private void releaseInput() {
        ByteBuf buffer;
        while ((buffer = pollInput()) != null) {
            buffer.release();
        }
        available = 0;
    }

    /** Removes the head of the input with its origin. */
    private ByteBuf pollInput() {
        ByteBuf head = inputHead;
        if (laterInput == null || laterInput.isEmpty()) {
            inputHead = null;
            inputHeadOrigin = null;
        } else {
            inputHead = laterInput.poll();
            inputHeadOrigin = laterOrigins.poll();
        }
        return head;
    }

    private void addInput(ByteBuf data, Origin origin) {
        if (inputHead == null) {
            inputHead = data;
            inputHeadOrigin = origin;
            return;
        }
        if (laterInput == null) {
            laterInput = new ArrayDeque<>(4);
            laterOrigins = new ArrayDeque<>(4);
        }
        laterInput.add(data);
        laterOrigins.add(origin);
    }

    private int inputBuffers() {
        return inputHead == null ? 0 : 1 + (laterInput == null ? 0 : laterInput.size());
    }

    // ------------------------------------------------------------------ receive side

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        if (message instanceof ByteBuf) {
            receive((ByteBuf) message, RAW);
        } else if (message instanceof FramedMessage) {
            FramedMessage framed = (FramedMessage) message;
            if (flag(PASSTHROUGH) && !flag(FAILED) && !flag(STOPPED) && earmark == 0) {
                // Stepped aside: the Messages of the framer below pass unchanged.
                context.fireChannelRead(framed);
                return;
            }
            // The Messages of the framer below form this framer's byte stream.
            receive(framed.content(), new Origin(framed.context(), framed.endOfMessage()));
        } else {
            context.fireChannelRead(message);
        }
    }

    private void receive(ByteBuf data, Origin origin) {
        if (flag(FAILED) || flag(STOPPED)) {
            data.release();
            return;
        }
        // The earmark is served before passthrough: a framer may deliver a Message longer than what
        // arrived and step aside in the same call; those bytes still end that Message.
        if (earmark > 0 && data.isReadable()) {
            int now = (int) Math.min(earmark, data.readableBytes());
            ByteBuf piece = data.readRetainedSlice(now);
            earmark -= now;
            fireUp(piece, earmarkContext, earmark == 0 && flag(EARMARK_END));
            if (earmark == 0) {
                earmarkContext = null;
            }
        }
        if (!data.isReadable() || flag(FAILED) || flag(STOPPED)) {
            data.release();
        } else if (flag(PASSTHROUGH)) {
            fireRest(data, origin);
            return;
        } else {
            addInput(data, origin);
            available += data.readableBytes();
        }
        if (flag(STARTED)) {
            process();
        }
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
            while (!flag(FAILED) && !flag(PASSTHROUGH) && !flag(STOPPED) && !flag(PAUSED) && earmark == 0
                    && (available > 0 || flag(INPUT_ENDED) && !flag(END_CHECKED))) {
                long before = progress;
                long availableBefore = available;
                boolean endBefore = flag(INPUT_ENDED);
                try {
                    framer.handleReceivedData(this);
                } catch (Throwable thrown) {
                    framerThrew("handleReceivedData", thrown);
                    break;
                }
                runHandoff();
                if (flag(INPUT_ENDED) && endBefore && progress == before && available == availableBefore) {
                    flag(END_CHECKED, true);
                }
                if (progress == before && available == availableBefore) {
                    break;
                }
                // Progress without consuming input (e.g. empty Messages) must end some time.
                idle = available < availableBefore ? 0 : idle + 1;
                if (idle > MAX_IDLE_CALLS) {
                    failConnection(ErrorReason.DEFRAMING_FAILED, "the framer " + framerName() + " was called "
                            + idle + " times without consuming input");
                    break;
                }
            }
            if (!flag(FAILED) && !flag(PASSTHROUGH) && !flag(STOPPED) && available > MAX_UNPARSED) {
                failConnection(ErrorReason.MESSAGE_TOO_LARGE, "the framer " + framerName() + " left " + available
                        + " received bytes unparsed, more than taps' limit of " + MAX_UNPARSED);
            }
            if (flag(INPUT_ENDED) && !flag(PAUSED) && !flag(FAILED) && !flag(PASSTHROUGH) && !flag(STOPPED)
                    && (available > 0 || earmark > 0)) {
                failConnection(ErrorReason.DEFRAMING_FAILED, truncation());
            }
        } finally {
            flag(PROCESSING, false);
            exit();
        }
    }

    private String truncation() {
        if (earmark > 0) {
            return "the peer ended the stream inside a Message: " + earmark + " bytes of it never arrived (framer "
                    + framerName() + ")";
        }
        return "the peer ended the stream inside a frame: " + available + " bytes of an incomplete frame are left"
                + " (framer " + framerName() + ")";
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
        if (event == ReceivePause.PAUSE) {
            flag(PAUSED, true);
        } else if (event == ReceivePause.RESUME && flag(PAUSED)) {
            flag(PAUSED, false);
            if (flag(STARTED) && !flag(PASSTHROUGH) && !flag(FAILED)) {
                process();
            }
            if (flag(INPUT_SHUTDOWN_HELD)
                    && (!flag(PAUSED) || available == 0 || flag(FAILED) || flag(STOPPED) || flag(PASSTHROUGH))) {
                flag(INPUT_SHUTDOWN_HELD, false);
                super.userEventTriggered(context, ChannelInputShutdownEvent.INSTANCE);
            }
        } else if (event == ChannelInputShutdownEvent.INSTANCE && !flag(INPUT_ENDED)) {
            flag(INPUT_ENDED, true);
            if (flag(STARTED) && !flag(PASSTHROUGH) && !flag(FAILED)) {
                process();
                if (!flag(PROCESSING) && earmark > 0 && !flag(FAILED)) {
                    failConnection(ErrorReason.DEFRAMING_FAILED, truncation());
                }
            }
            if (flag(PAUSED) && available > 0 && !flag(FAILED) && !flag(STOPPED) && !flag(PASSTHROUGH)) {
                // The Messages still in the paused input come before the peer's end.
                flag(INPUT_SHUTDOWN_HELD, true);
                return;
            }
        }
        super.userEventTriggered(context, event);
    }

    private void fireUp(ByteBuf data, MessageContext context, boolean endOfMessage) {
        // Delivered at once on the event loop; whoever keeps it keeps a detached copy (issue 21).
        if (!ctx.executor().inEventLoop()) {
            ctx.fireChannelRead(new FramedMessage(data, context, endOfMessage));
            return;
        }
        // The event loop thread's holder, not one per handler (FramedMessage.carryUp).
        FramedMessage message = FramedMessage.carryUp(data, context, endOfMessage);
        try {
            ctx.fireChannelRead(message);
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
        if (available < minimumIncompleteLength) {
            return null;
        }
        int length = (int) Math.min(available, maximumLength);
        if (length == 0) {
            return Unpooled.EMPTY_BUFFER;
        }
        ByteBuf head = inputHead;
        if (head.readableBytes() >= length) {
            if (head.isReadOnly()) {
                return head.slice(head.readerIndex(), length);
            }
            ByteBuf view = head.asReadOnly();
            return view.writerIndex(view.readerIndex() + length);
        }
        // Spans buffers: a read-only composite of unretained slices; nothing is copied or retained.
        CompositeByteBuf spanning = Unpooled.compositeBuffer(Math.max(2, inputBuffers()));
        int remaining = length;
        ByteBuf buffer = inputHead;
        java.util.Iterator<ByteBuf> later = laterInput == null ? null : laterInput.iterator();
        while (true) {
            int part = Math.min(remaining, buffer.readableBytes());
            spanning.addComponent(true, buffer.slice(buffer.readerIndex(), part));
            remaining -= part;
            if (remaining == 0 || later == null || !later.hasNext()) {
                break;
            }
            buffer = later.next();
        }
        return spanning.asReadOnly();
    }

    /**
     * The {@code bytes}-wide unsigned field at the receive cursor (at least that many are
     * available), read where it lies when the head buffer holds it whole: {@link #parse} without
     * the view, for {@link HeaderCodec#peekLength}.
     */
    long peekField(int bytes, boolean littleEndian) {
        checkNotEarmarked("parse");
        ByteBuf head = inputHead;
        if (head != null && head.readableBytes() >= bytes) {
            return HeaderCodec.read(head, head.readerIndex(), bytes, littleEndian);
        }
        ByteBuf spanning = parse(bytes, bytes);
        return HeaderCodec.read(spanning, spanning.readerIndex(), bytes, littleEndian);
    }

    @Override
    public int readableBytes() {
        return (int) Math.min(Integer.MAX_VALUE, available);
    }

    @Override
    public void advanceReceiveCursor(int length) {
        checkNotEarmarked("advanceReceiveCursor");
        if (length < 0 || length > available) {
            throw new IllegalArgumentException("cannot advance the receive cursor by " + length + ": " + available
                    + " bytes are available");
        }
        int remaining = length;
        while (remaining > 0) {
            ByteBuf head = inputHead;
            int part = Math.min(remaining, head.readableBytes());
            head.skipBytes(part);
            remaining -= part;
            if (!head.isReadable()) {
                pollInput().release();
            }
        }
        available -= length;
        progress++;
    }

    @Override
    public void deliverAndAdvanceReceiveCursor(MessageContext messageContext, long length, boolean endOfMessage) {
        checkNotEarmarked("deliverAndAdvanceReceiveCursor");
        if (length < 0) {
            throw new IllegalArgumentException("cannot deliver a negative length: " + length);
        }
        int now = (int) Math.min(length, available);
        progress++;
        if (now < length) {
            earmark = length - now;
            earmarkContext = messageContext;
            flag(EARMARK_END, endOfMessage);
        }
        if (now > 0 || length == 0) {
            ByteBuf piece = take(now);
            fireUp(piece, messageContext, endOfMessage && now == length);
        }
    }

    /** Removes {@code length} bytes at the cursor as retained slices (a composite when they span buffers). */
    private ByteBuf take(int length) {
        if (length == 0) {
            return Unpooled.EMPTY_BUFFER;
        }
        available -= length;
        ByteBuf head = inputHead;
        if (head.readableBytes() == length) {
            // The rest of the head buffer, as a response is: handed over whole, not sliced.
            return pollInput();
        }
        if (head.readableBytes() > length) {
            ByteBuf slice = head.readRetainedSlice(length);
            if (!head.isReadable()) {
                pollInput().release();
            }
            return slice;
        }
        CompositeByteBuf spanning = ctx.alloc().compositeBuffer(Math.max(2, inputBuffers()));
        int remaining = length;
        while (remaining > 0) {
            head = inputHead;
            int part = Math.min(remaining, head.readableBytes());
            spanning.addComponent(true, head.readRetainedSlice(part));
            remaining -= part;
            if (!head.isReadable()) {
                pollInput().release();
            }
        }
        return spanning;
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
        if (earmark > 0) {
            throw new IllegalStateException(call + " while " + earmark + " earmarked bytes are still to arrive");
        }
    }

    @Override
    public MessageContext receivedContext() {
        MessageContext context = receivedContext;
        if (context == null) {
            // The channel's addresses, made endpoints only if read: kept for the Connection's life (issue 21 item 4).
            context = MESSAGES.receivedOn(socketAddress(ctx.channel().remoteAddress()),
                    socketAddress(ctx.channel().localAddress()), false);
            receivedContext = context;
        }
        return context;
    }

    private static InetSocketAddress socketAddress(Object address) {
        return address instanceof InetSocketAddress ? (InetSocketAddress) address : null;
    }

    @Override
    public boolean inputEnded() {
        return flag(INPUT_ENDED);
    }

    // ------------------------------------------------------------------ send side

    @Override
    public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
        if (!(message instanceof FramedMessage)) {
            context.write(message, promise);
            return;
        }
        FramedMessage outbound = (FramedMessage) message;
        if (flag(PASSTHROUGH)) {
            if (stack.isLowest(this)) {
                context.write(outbound.content(), promise);
            } else {
                context.write(outbound, promise);
            }
            return;
        }
        if (flag(FAILED) || flag(STOPPED)) {
            outbound.release();
            promise.setFailure(new TransportServicesException(ErrorReason.CONNECTION_CLOSED,
                    "the framer " + framerName() + " has failed or stopped"));
            return;
        }
        flag(COLLECTING, true);
        try {
            framer.newSentMessage(this, outbound.content(), outbound.context(), outbound.endOfMessage());
        } catch (Throwable thrown) {
            flag(COLLECTING, false);
            releaseCollected();
            promise.setFailure(thrown instanceof TransportServicesException ? thrown
                    : new TransportServicesException(ErrorReason.PROTOCOL_FAILED,
                            "the framer " + framerName() + " failed to frame the message: " + thrown, thrown));
            return;
        }
        flag(COLLECTING, false);
        if (flag(FAILED) || flag(STOPPED)) {
            // The framer failed the Connection (or the flow ended) while framing this Message:
            // nothing goes to the network after FailConnection, and the Message is not Sent.
            releaseCollected();
            promise.setFailure(new TransportServicesException(ErrorReason.CONNECTION_CLOSED,
                    "the framer " + framerName() + " has failed or stopped"));
            return;
        }
        if (firstCollected == null) {
            // Held by the framer (e.g. a part of a Message it frames whole); accepted, so Sent.
            promise.setSuccess();
            return;
        }
        ByteBuf framed = firstCollected;
        firstCollected = null;
        if (laterCollected != null && !laterCollected.isEmpty()) {
            CompositeByteBuf composite = context.alloc().compositeBuffer(1 + laterCollected.size());
            composite.addComponent(true, framed);
            for (ByteBuf buffer : laterCollected) {
                composite.addComponent(true, buffer);
            }
            laterCollected.clear();
            framed = composite;
        }
        writeDown(framed, outbound.context(), outbound.endOfMessage(), promise);
    }

    /**
     * Holds a flush asked for while this framer is delivering what one read brought (or is in any
     * other call of its framer): the Messages the application sends from its Received handlers
     * then leave with one flush when the call returns, in one system call (and, under TLS, in as
     * few records as they fit), not one each. The wait is bounded by the current call, which ends
     * with that flush ({@link #exit}); the writes themselves keep their order. Raw Netty offers
     * the same as FlushConsolidationHandler; without it each of 64 pipelined responses costs a
     * send(2) (issue 21, figure 3).
     */
    @Override
    public void flush(ChannelHandlerContext context) {
        if (depth > 0) {
            flag(FLUSH_NEEDED, true);
            return;
        }
        context.flush();
    }

    private void releaseCollected() {
        if (firstCollected != null) {
            ReferenceCountUtil.safeRelease(firstCollected);
            firstCollected = null;
        }
        if (laterCollected != null) {
            for (ByteBuf buffer : laterCollected) {
                ReferenceCountUtil.safeRelease(buffer);
            }
            laterCollected.clear();
        }
    }

    private void writeDown(ByteBuf data, MessageContext context, boolean endOfMessage, ChannelPromise promise) {
        if (stack.isLowest(this)) {
            ctx.write(data, promise);
        } else {
            ctx.write(new FramedMessage(data, context, endOfMessage), promise);
        }
    }

    @Override
    public void send(ByteBuf data) {
        if (flag(COLLECTING)) {
            if (firstCollected == null) {
                firstCollected = data;
            } else {
                if (laterCollected == null) {
                    laterCollected = new ArrayList<>(2);
                }
                laterCollected.add(data);
            }
            return;
        }
        if (flag(FAILED) || flag(STOPPED)) {
            data.release();
            return;
        }
        writeDown(data, MessageContext.create(), true, ctx.newPromise());
        if (depth > 0) {
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
            stack.handlerReady();
        }
    }

    @Override
    public void makeConnectionClosed() {
        if (flag(FAILED)) {
            return;
        }
        if (!stack.outcomeReported()) {
            failConnection(ErrorReason.ESTABLISHMENT_FAILED, "the framer " + framerName()
                    + " closed the connection before it was ready");
            return;
        }
        ctx.fireChannelRead(FramingSignal.CLOSE);
    }

    @Override
    public void failConnection(TransportServicesException error) {
        if (flag(FAILED)) {
            return;
        }
        flag(FAILED, true);
        releaseInput();
        earmark = 0;
        if (!stack.failBeforeReady(error)) {
            ctx.fireChannelRead(FramingSignal.failure(error));
        }
    }

    private void framerThrew(String event, Throwable thrown) {
        failConnection(thrown instanceof TransportServicesException ? (TransportServicesException) thrown
                : new TransportServicesException(ErrorReason.DEFRAMING_FAILED,
                        "the framer " + framerName() + " threw in " + event + ": " + thrown, thrown));
    }

    @Override
    public void prependFramer(Framer below) {
        FramerHandler added = new FramerHandler(stack, below);
        stack.insertBelow(this, added);
        ctx.pipeline().addBefore(ctx.name(), stack.nextName(), added);
        // Bytes this framer has not consumed belong to the new framer now (STARTTLS-style). They
        // are handed over once the framer's current call returns, so that what the new framer
        // delivers meets this framer in its new mode (e.g. passthrough).
        ArrayDeque<ByteBuf> rest = new ArrayDeque<>(Math.max(2, inputBuffers()));
        ByteBuf unparsed;
        while ((unparsed = pollInput()) != null) {
            rest.add(unparsed);
        }
        available = 0;
        progress++;
        boolean ended = flag(INPUT_ENDED);
        Runnable previous = handoff;
        handoff = () -> {
            if (previous != null) {
                previous.run();
            }
            if (stack.started()) {
                added.start();
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
        if (depth == 0) {
            runHandoff();
        }
    }

    private void runHandoff() {
        Runnable pending = handoff;
        handoff = null;
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
        progress++;
        ByteBuf buffer;
        while (inputHead != null) {
            Origin origin = inputHeadOrigin;
            buffer = pollInput();
            fireRest(buffer, origin);
        }
        available = 0;
    }

    /** Passes up input this framer stepped aside from: raw bytes as such, parts of lower Messages as those. */
    private void fireRest(ByteBuf data, Origin origin) {
        if (origin == RAW) {
            ctx.fireChannelRead(data);
        } else {
            ctx.fireChannelRead(new FramedMessage(data, origin.context(), origin.endOfMessage()));
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
        return stack.role();
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
        depth++;
    }

    private void exit() {
        if (--depth == 0 && flag(FLUSH_NEEDED)) {
            flag(FLUSH_NEEDED, false);
            ctx.flush();
        }
    }

    private String framerName() {
        return framer.getClass().getSimpleName();
    }

    /** Received bytes this framer holds unparsed (for tests of memory bounds). */
    long buffered() {
        return available;
    }

    @Override
    public String toString() {
        return "FramerHandler[" + framerName() + "]";
    }
}

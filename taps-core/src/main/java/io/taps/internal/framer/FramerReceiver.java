package io.taps.internal.framer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.framer.Framer;
import io.taps.properties.Role;

/**
 * The receive side of a {@link FramerRuntime} (RFC 9623 §6.3): what its host reads goes to the
 * framer as input (network buffers, or the Messages of the framer below taken as a byte stream),
 * the framer is called while it makes progress, and what it delivers goes up to the host. The
 * input is kept as a queue of buffers, never merged ({@link FramerInput}); {@link #parse} returns
 * read-only views, deliveries are retained slices of those buffers (a composite of slices when a
 * Message spans buffers), so no payload byte is copied. Earmarked bytes go up as they arrive.
 *
 * <p>Memory: the unparsed input is bounded by the framer's own limit (the built-in framers fail
 * the Connection past their maxMessageSize before buffering more) and, as a last resort, by
 * {@link #MAX_UNPARSED}, before the framer starts too.
 *
 * <p>A layer of the runtime, not an object of its own (see {@link FramerState}).
 */
abstract sealed class FramerReceiver extends FramerState permits FramerSender {
    /** Unparsed input above which taps fails the Connection whatever the framer does. */
    static final long MAX_UNPARSED = 64L << 20;
    /** Consecutive framer calls that consume nothing after which taps gives up on the framer. */
    static final int MAX_IDLE_CALLS = 100_000;

    FramerReceiver(Framer framer, Role role) {
        super(framer, role);
    }

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

    final void receive(ByteBuf data, Origin origin) {
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
    final void process() {
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
        return available() < minimumIncompleteLength ? null : view(Math.min(available(), maximumLength));
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
        return available();
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

    /** Passes up input this framer stepped aside from: raw bytes as such, parts of lower Messages as those. */
    final void fireRest(ByteBuf data, Origin origin) {
        if (origin == RAW) {
            host().framerRead(ctx, data);
        } else {
            host().framerRead(ctx, new FramedMessage(data, origin.context(), origin.endOfMessage()));
        }
    }
}

package io.taps.internal.framer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelPromise;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.framer.Framer;
import io.taps.properties.Role;

/**
 * The send side of a {@link FramerRuntime} (RFC 9623 §6.2): a Message the application sent goes
 * through the framer, and the buffers the framer sends for it leave as one write with the
 * Message's promise ({@link CollectedSend}); what the framer sends outside of that (a handshake, a
 * reply) leaves at once, flushed when its current call ends. A layer of the runtime, not an object
 * of its own (see {@link FramerState}).
 */
abstract sealed class FramerSender extends FramerReceiver permits FramerRuntime {
    FramerSender(Framer framer, Role role) {
        super(framer, role);
    }

    /**
     * Frames (a part of) one Message the application sent and writes the result down from its
     * host, reporting to {@code promise}; event loop only. The payload's one reference is the
     * framer's.
     */
    public void write(ByteBuf content, MessageContext messageContext, boolean endOfMessage, ChannelPromise promise) {
        if (flag(PASSTHROUGH)) {
            writeDown(content, messageContext, endOfMessage, promise);
            return;
        }
        if (flag(FAILED) || flag(STOPPED)) {
            content.release();
            promise.setFailure(failedOrStopped());
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
            promise.setFailure(failedOrStopped());
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

    private TransportServicesException failedOrStopped() {
        return new TransportServicesException(ErrorReason.CONNECTION_CLOSED,
                "the framer " + framerName() + " has failed or stopped");
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
}

package io.taps.internal.framer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.util.concurrent.FastThreadLocal;
import io.taps.MessageContext;

/**
 * One (part of a) Message between framer handlers and the Connection, in both directions: its
 * payload (a slice of network buffers or the application's wrapped array, never a copy), its
 * context and whether it ends the Message. It owns one reference to its payload.
 *
 * <p>A handler that passes Messages on one at a time, on the event loop, may reuse one instance
 * for them ({@link #reusable()}, {@link #carry}): the handlers it goes through read it while they
 * handle it and keep its payload and context, never the holder (issue 21: no holder per Message
 * on the steady path). One that keeps the holder itself keeps a {@link #detached()} copy instead.
 */
public final class FramedMessage implements ByteBufHolder {
    private ByteBuf data;
    private MessageContext context;
    private boolean endOfMessage;
    /** Whether this is a reusable instance (see {@link #carry}); never set on a detached copy. */
    private final boolean reused;
    private boolean carrying;

    public FramedMessage(ByteBuf data, MessageContext context, boolean endOfMessage) {
        this(data, context, endOfMessage, false);
    }

    private FramedMessage(ByteBuf data, MessageContext context, boolean endOfMessage, boolean reused) {
        this.data = data;
        this.context = context;
        this.endOfMessage = endOfMessage;
        this.reused = reused;
    }

    /**
     * The calling event loop thread's holders of the Messages framer handlers deliver up
     * ({@link #carryUp}) and links write down ({@link #writeDown}): one chain per thread instead of
     * one holder per handler and per link, i.e. two per Connection (32 B each of every Connection
     * with a framer, issue 21 figure 12). The chain grows one holder per
     * level of nesting (a framer stack delivering through the framer above it), at most
     * {@value #MAX_NESTED_CARRIERS} deep; deeper deliveries get a holder of their own.
     */
    private static final FastThreadLocal<FramedMessage> DELIVERY_CARRIERS = new FastThreadLocal<>() {
        @Override
        protected FramedMessage initialValue() {
            return reusable();
        }
    };
    private static final int MAX_NESTED_CARRIERS = 8;
    /** The next holder of {@link #DELIVERY_CARRIERS}' chain, used while this one carries; made on first use. */
    private FramedMessage nested;

    /**
     * A holder carrying the given Message up the pipeline, from the calling thread's chain (see
     * {@link #DELIVERY_CARRIERS}): call only on the channel's event loop, and {@link #done()} it
     * once {@code fireChannelRead} returned when {@link #isCarrier()}.
     */
    public static FramedMessage carryUp(ByteBuf payload, MessageContext messageContext, boolean end) {
        FramedMessage holder = DELIVERY_CARRIERS.get();
        for (int depth = 0; holder.carrying; depth++) {
            if (holder.nested == null) {
                if (depth == MAX_NESTED_CARRIERS) {
                    return new FramedMessage(payload, messageContext, end);
                }
                holder.nested = reusable();
            }
            holder = holder.nested;
        }
        return holder.carry(payload, messageContext, end);
    }

    /** Whether this is a reusable holder, which its carrier frees with {@link #done()} (a detached one it must not touch). */
    public boolean isCarrier() {
        return reused;
    }

    /** An empty instance for {@link #carry}. */
    private static FramedMessage reusable() {
        return new FramedMessage(null, null, false, true);
    }

    /**
     * This reusable instance carrying the given Message, or a new one while this one is still
     * being handled (a re-entrant send or delivery); {@link #done()} frees it again.
     */
    private FramedMessage carry(ByteBuf payload, MessageContext messageContext, boolean end) {
        if (carrying) {
            return new FramedMessage(payload, messageContext, end);
        }
        carrying = true;
        data = payload;
        context = messageContext;
        endOfMessage = end;
        return this;
    }

    /** The handlers have handled the Message this instance carried: it no longer refers to it. */
    public void done() {
        carrying = false;
        data = null;
        context = null;
    }

    /**
     * Writes (a part of) one Message to {@code channel}'s framers, reporting to {@code promise}: on
     * the channel's event loop through a holder of the thread's chain ({@link #carryUp}), which the
     * framers read while the write runs and do not keep, from another thread in a holder of its own
     * (the write crosses threads and outlives the call). A link keeps no holder of its own for this:
     * one per thread, not one per Connection (32 B of every Connection with framers, issue 21 figure 12).
     */
    public static void writeDown(io.netty.channel.Channel channel, ByteBuf payload, MessageContext messageContext,
            boolean end, io.netty.channel.ChannelPromise promise) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.write(new FramedMessage(payload, messageContext, end), promise);
            return;
        }
        FramedMessage message = carryUp(payload, messageContext, end);
        try {
            channel.write(message, promise);
        } finally {
            if (message.isCarrier()) {
                message.done();
            }
        }
    }

    /** A copy to keep: this same instance unless it is a reusable one. */
    public FramedMessage detached() {
        return reused ? new FramedMessage(data, context, endOfMessage) : this;
    }

    public MessageContext context() {
        return context;
    }

    public boolean endOfMessage() {
        return endOfMessage;
    }

    @Override
    public ByteBuf content() {
        return data;
    }

    @Override
    public FramedMessage copy() {
        return replace(data.copy());
    }

    @Override
    public FramedMessage duplicate() {
        return replace(data.duplicate());
    }

    @Override
    public FramedMessage retainedDuplicate() {
        return replace(data.retainedDuplicate());
    }

    @Override
    public FramedMessage replace(ByteBuf content) {
        return new FramedMessage(content, context, endOfMessage);
    }

    @Override
    public int refCnt() {
        return data.refCnt();
    }

    @Override
    public FramedMessage retain() {
        data.retain();
        return this;
    }

    @Override
    public FramedMessage retain(int increment) {
        data.retain(increment);
        return this;
    }

    @Override
    public FramedMessage touch() {
        data.touch();
        return this;
    }

    @Override
    public FramedMessage touch(Object hint) {
        data.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return data.release();
    }

    @Override
    public boolean release(int decrement) {
        return data.release(decrement);
    }

    @Override
    public String toString() {
        return "FramedMessage[" + (data == null ? "empty" : data.readableBytes() + " bytes")
                + (endOfMessage ? "" : ", partial") + "]";
    }
}

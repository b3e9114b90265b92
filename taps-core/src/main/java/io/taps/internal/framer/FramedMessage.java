package io.taps.internal.framer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.taps.MessageContext;

/**
 * One (part of a) Message between framer handlers and the Connection, in both directions: its
 * payload (a slice of network buffers or the application's wrapped array, never a copy), its
 * context and whether it ends the Message. It owns one reference to its payload.
 */
public final class FramedMessage extends DefaultByteBufHolder {
    private final MessageContext context;
    private final boolean endOfMessage;

    public FramedMessage(ByteBuf data, MessageContext context, boolean endOfMessage) {
        super(data);
        this.context = context;
        this.endOfMessage = endOfMessage;
    }

    public MessageContext context() {
        return context;
    }

    public boolean endOfMessage() {
        return endOfMessage;
    }
}

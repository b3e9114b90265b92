package io.taps.internal.conn;

import io.netty.buffer.ByteBuf;
import io.taps.MessageContext;
import java.util.ArrayDeque;

/**
 * Data received but not yet handed to a Receive. It owns the buffers it holds (one reference
 * each) and releases them as they are consumed or when the connection ends, so nothing leaks.
 *
 * <p>On a byte stream the whole stream is one Message (RFC 9623 §5, M-34) whose end is the
 * peer's FIN; on a datagram link each unit is one complete Message.
 */
final class InboundQueue {

    /** One received unit: a stream chunk, a datagram, or the empty end-of-stream marker. */
    static final class Unit {
        final ByteBuf data;
        final MessageContext context;
        final boolean endOfMessage;

        Unit(ByteBuf data, MessageContext context, boolean endOfMessage) {
            this.data = data;
            this.context = context;
            this.endOfMessage = endOfMessage;
        }
    }

    private final ArrayDeque<Unit> units = new ArrayDeque<>();
    private long bytes;
    private boolean endOfStreamQueued;

    void add(Unit unit) {
        units.add(unit);
        bytes += unit.data.readableBytes();
        if (unit.endOfMessage && unit.data.readableBytes() == 0) {
            endOfStreamQueued = true;
        }
    }

    boolean isEmpty() {
        return units.isEmpty();
    }

    long bytes() {
        return bytes;
    }

    Unit peek() {
        return units.peek();
    }

    /** Stream bytes available before the end-of-stream marker. */
    long streamBytesAvailable() {
        return bytes;
    }

    boolean endOfStreamQueued() {
        return endOfStreamQueued;
    }

    /**
     * Copies {@code length} stream bytes into a new array and releases what was consumed; the
     * caller checked that many bytes are available.
     */
    byte[] takeStreamBytes(int length) {
        byte[] out = new byte[length];
        int offset = 0;
        while (offset < length) {
            Unit head = units.peek();
            int chunk = Math.min(length - offset, head.data.readableBytes());
            head.data.readBytes(out, offset, chunk);
            offset += chunk;
            if (!head.data.isReadable() && !head.endOfMessage) {
                units.poll();
                head.data.release();
            }
        }
        bytes -= length;
        return out;
    }

    /** Removes the end-of-stream marker once its end was delivered. */
    MessageContext takeEndOfStream() {
        Unit marker = units.poll();
        marker.data.release();
        endOfStreamQueued = false;
        return marker.context;
    }

    /** Copies up to {@code length} bytes of the head datagram; removes it when fully consumed. */
    byte[] takeFromHead(int length) {
        Unit head = units.peek();
        int chunk = Math.min(length, head.data.readableBytes());
        byte[] out = new byte[chunk];
        head.data.readBytes(out);
        bytes -= chunk;
        if (!head.data.isReadable()) {
            units.poll();
            head.data.release();
        }
        return out;
    }

    void releaseAll() {
        Unit unit;
        while ((unit = units.poll()) != null) {
            unit.data.release();
        }
        bytes = 0;
        endOfStreamQueued = false;
    }
}

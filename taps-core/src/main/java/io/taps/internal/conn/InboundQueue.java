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
        /** The empty marker of the peer's FIN. */
        final boolean endOfStream;

        Unit(ByteBuf data, MessageContext context, boolean endOfMessage) {
            this(data, context, endOfMessage, false);
        }

        Unit(ByteBuf data, MessageContext context, boolean endOfMessage, boolean endOfStream) {
            this.data = data;
            this.context = context;
            this.endOfMessage = endOfMessage;
            this.endOfStream = endOfStream;
        }
    }

    private final ArrayDeque<Unit> units = new ArrayDeque<>();
    private long bytes;
    private boolean endOfStreamQueued;

    void add(Unit unit) {
        units.add(unit);
        bytes += unit.data.readableBytes();
        if (unit.endOfStream) {
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

    /**
     * Framed receive: the bytes queued for the Message at the head (up to and including the first
     * unit that ends a Message, or the FIN marker), and whether its end is queued ({@code [bytes,
     * complete ? 1 : 0]} packed as bytes * 2 + complete).
     */
    long headMessage() {
        long total = 0;
        for (Unit unit : units) {
            total += unit.data.readableBytes();
            if (unit.endOfMessage) {
                return total * 2 + 1;
            }
        }
        return total * 2;
    }

    /** Whether the unit that ends the head Message is the FIN marker. */
    boolean headMessageEndsStream() {
        for (Unit unit : units) {
            if (unit.endOfMessage) {
                return unit.endOfStream;
            }
        }
        return false;
    }

    /**
     * Copies {@code length} bytes of the head Message into a new array, releasing consumed units;
     * with {@code throughEnd} it also consumes the unit that ends the Message (the caller checked
     * that {@code length} is exactly what is queued for it).
     */
    byte[] takeMessageBytes(int length, boolean throughEnd) {
        byte[] out = new byte[length];
        int offset = 0;
        while (true) {
            Unit head = units.peek();
            if (head == null) {
                break;
            }
            int chunk = Math.min(length - offset, head.data.readableBytes());
            if (chunk > 0) {
                head.data.readBytes(out, offset, chunk);
                offset += chunk;
            }
            if (head.data.isReadable()) {
                break;
            }
            if (head.endOfMessage) {
                if (throughEnd) {
                    units.poll();
                    head.data.release();
                    if (head.endOfStream) {
                        endOfStreamQueued = false;
                    }
                }
                break;
            }
            units.poll();
            head.data.release();
            if (offset == length && !throughEnd) {
                break;
            }
        }
        bytes -= length;
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

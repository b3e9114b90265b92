package io.taps.internal.conn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.taps.MessageContext;
import java.util.ArrayDeque;

/**
 * Data received but not yet handed to a Receive. It owns the buffers it holds (one reference
 * each) and releases them as they are consumed or when the connection ends, so nothing leaks.
 *
 * <p>On a byte stream the whole stream is one Message (RFC 9623 §5, M-34) whose end is the
 * peer's FIN; on a datagram link each unit is one complete Message.
 *
 * <p>It counts what it holds twice: the payload ({@link #bytes()}) that Receive calls wait for,
 * and the memory ({@link #memory()}) that receive backpressure and the datagram limits bound. The
 * memory of a unit is the capacity of the buffer it keeps alive plus {@link #UNIT_OVERHEAD}. So
 * that a peer sending tiny segments or datagrams cannot make a few payload bytes pin a large
 * buffer each (issue 15: 1-byte segments used to cost about 170 bytes of memory per byte),
 * data is kept as the link handed it in only when it fills at least half of the buffer it pins;
 * small stream reads are copied into a shared chunk (coalesced), other small units into a
 * buffer of their exact size, and the link's buffer is released at once.
 * A layer of the Connection object, between {@link SendPath} and {@link WaitingReceives} (see
 * {@link TapsConnection}); only the receiving layers use its methods.
 */
abstract sealed class InboundQueue extends SendPath permits WaitingReceives {
    InboundQueue(java.util.concurrent.Executor eventExecutor) {
        super(eventExecutor);
    }

    /**
     * Estimated heap per queued unit besides its data: the unit, its slot in the deque and the
     * buffer object (or the array header of a copy).
     */
    static final int UNIT_OVERHEAD = 112;
    /** A read smaller than this is always copied: it is cheaper to copy than to keep a buffer for it. */
    static final int ZERO_COPY_MIN = 1024;
    /** The first coalescing chunk of a stream; each next one doubles, up to {@link #CHUNK_MAX}. */
    static final int CHUNK_MIN = 512;
    static final int CHUNK_MAX = 16 * 1024;

    /** One received unit: a stream chunk, a datagram, a framed Message part, or the empty end-of-stream marker. */
    static final class Unit {
        final ByteBuf data;
        final MessageContext context;
        final boolean endOfMessage;
        /** The empty marker of the peer's FIN. */
        final boolean endOfStream;
        /** What this unit keeps alive, counted in {@link #memory()}. */
        final long memory;

        Unit(ByteBuf data, MessageContext context, boolean endOfMessage, boolean endOfStream, long memory) {
            this.data = data;
            this.context = context;
            this.endOfMessage = endOfMessage;
            this.endOfStream = endOfStream;
            this.memory = memory;
        }
    }

    /**
     * The head unit, and the units after it in a deque made on first use: an idle Connection
     * queues nothing and one reading request/response Messages mostly one unit at a time, and a
     * deque is ~56 B of each Connection (issue 21 item 4).
     */
    private Unit head;
    private ArrayDeque<Unit> rest;
    private long bytes;
    private long memory;
    /**
     * The next coalescing chunk's size as doublings of {@link #CHUNK_MIN} (the low bits, at most 5)
     * and {@link #END_OF_STREAM_QUEUED}: one byte, not an int and a boolean, which took the
     * Connection object over an 8 B boundary (issue 21 figure 12).
     */
    private byte chunkAndEnd;
    private static final int DOUBLINGS = 7;
    private static final int END_OF_STREAM_QUEUED = 8;
    /** The coalescing chunk at the tail that small stream reads are appended to, while it has room. */
    private Unit appendable;
    /** Memory shared with other Connections' queues (a UDP Listener's), charged along with {@link #memory}. */
    private SharedReceiveBudget shared;

    /** Charges this queue's memory to {@code budget} too; called before anything is queued. */
    void shareBudget(SharedReceiveBudget budget) {
        this.shared = budget;
    }

    // ---------------------------------------------------------------- adding

    /** Stream bytes (unframed): small reads are coalesced into shared chunks. Takes ownership of {@code data}. */
    void addStreamData(ByteBuf data) {
        int length = data.readableBytes();
        if (length == 0) {
            data.release();
            return;
        }
        if (keepsAsIs(data)) {
            appendable = null;
            append(new Unit(data, null, false, false, retainedMemory(data) + UNIT_OVERHEAD));
            bytes += length;
            return;
        }
        try {
            while (data.isReadable()) {
                Unit tail = appendable;
                if (tail == null || !tail.data.isWritable()) {
                    int nextChunk = CHUNK_MIN << (chunkAndEnd & DOUBLINGS);
                    int size = Math.max(nextChunk, Math.min(data.readableBytes(), CHUNK_MAX));
                    if (nextChunk < CHUNK_MAX) {
                        chunkAndEnd++;
                    }
                    ByteBuf chunk = Unpooled.wrappedBuffer(new byte[size]).clear();
                    tail = new Unit(chunk, null, false, false, size + UNIT_OVERHEAD);
                    append(tail);
                    appendable = tail;
                }
                int chunk = Math.min(data.readableBytes(), tail.data.writableBytes());
                tail.data.writeBytes(data, chunk);
                bytes += chunk;
            }
        } finally {
            data.release();
        }
    }

    /** A datagram or a framed Message part, kept whole as one unit. Takes ownership of {@code data}. */
    void addMessage(ByteBuf data, MessageContext context, boolean endOfMessage) {
        ByteBuf kept = rightSized(data);
        appendable = null;
        append(new Unit(kept, context, endOfMessage, false, cost(kept)));
        bytes += kept.readableBytes();
    }

    /** The marker of the peer's FIN, carrying the final Message's context. */
    void addEndOfStream(MessageContext context) {
        appendable = null;
        append(new Unit(Unpooled.EMPTY_BUFFER, context, true, true, UNIT_OVERHEAD));
        chunkAndEnd |= END_OF_STREAM_QUEUED;
    }

    /** What keeping {@code data} as a unit would cost, after right-sizing (see {@link #rightSized}). */
    static long admissionCost(ByteBuf data) {
        return keepsAsIs(data) ? retainedMemory(data) + UNIT_OVERHEAD : data.readableBytes() + UNIT_OVERHEAD;
    }

    private void append(Unit unit) {
        if (head == null) {
            head = unit;
        } else {
            rest = LaterQueue.add(rest, unit);
        }
        charge(unit.memory);
    }

    /** {@code data} itself when it fills at least half of what it pins, else an exact-size copy (releasing {@code data}). */
    private static ByteBuf rightSized(ByteBuf data) {
        if (keepsAsIs(data)) {
            return data;
        }
        try {
            byte[] copy = new byte[data.readableBytes()];
            data.readBytes(copy);
            return copy.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(copy);
        } finally {
            data.release();
        }
    }

    private static boolean keepsAsIs(ByteBuf data) {
        int length = data.readableBytes();
        return length >= ZERO_COPY_MIN && !(data instanceof CompositeByteBuf)
                && retainedMemory(data) <= 2L * length;
    }

    /** The capacity of the buffer {@code data} keeps alive: a slice pins the whole buffer it is cut from. */
    static long retainedMemory(ByteBuf data) {
        ByteBuf root = data;
        ByteBuf parent;
        while ((parent = root.unwrap()) != null) {
            root = parent;
        }
        return root.capacity();
    }

    private static long cost(ByteBuf kept) {
        return (kept.readableBytes() == 0 ? 0 : retainedMemory(kept)) + UNIT_OVERHEAD;
    }

    private void charge(long delta) {
        memory += delta;
        if (shared != null) {
            shared.charge(delta);
        }
    }

    // ---------------------------------------------------------------- looking

    boolean isEmpty() {
        return head == null;
    }

    /** Payload bytes queued. */
    long bytes() {
        return bytes;
    }

    /** Memory the queued units keep alive, in bytes (see the class comment). */
    long memory() {
        return memory;
    }

    /** Units queued (stream chunks, datagrams, Message parts, the FIN marker). */
    int units() {
        return head == null ? 0 : 1 + (rest == null ? 0 : rest.size());
    }

    Unit peek() {
        return head;
    }

    boolean endOfStreamQueued() {
        return (chunkAndEnd & END_OF_STREAM_QUEUED) != 0;
    }

    /**
     * The bytes queued for the Message at the head (up to and including the first unit that ends
     * a Message; on an unframed stream, the FIN marker), and whether its end is queued
     * ({@code [bytes, complete ? 1 : 0]} packed as bytes * 2 + complete).
     */
    long headMessage() {
        if (head == null) {
            return 0;
        }
        long total = head.data.readableBytes();
        if (head.endOfMessage) {
            return total * 2 + 1;
        }
        if (rest != null) {
            for (Unit unit : rest) {
                total += unit.data.readableBytes();
                if (unit.endOfMessage) {
                    return total * 2 + 1;
                }
            }
        }
        return total * 2;
    }

    /** The unit that ends the head Message (a framed part, a datagram or the FIN marker), or null. */
    Unit headMessageEnd() {
        if (head == null || head.endOfMessage) {
            return head;
        }
        if (rest != null) {
            for (Unit unit : rest) {
                if (unit.endOfMessage) {
                    return unit;
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- taking

    /**
     * Copies {@code length} bytes of the head Message into a new array, releasing consumed units;
     * with {@code throughEnd} it also consumes the unit that ends the Message (the caller checked
     * that {@code length} is exactly what is queued for it).
     */
    byte[] takeMessageBytes(int length, boolean throughEnd) {
        byte[] out = new byte[length];
        consume(length, throughEnd, out);
        return out;
    }

    /**
     * {@link #takeMessageBytes} for a borrowed Message: a retained slice of the head unit's buffer
     * when that holds all {@code length} bytes (the usual case: a read, a framer's Message or a
     * coalescing chunk), else a copy into a buffer of exactly that size. The caller owns it.
     */
    ByteBuf takeMessageBuffer(int length, boolean throughEnd) {
        ByteBuf first = head == null ? null : head.data;
        if (length == 0 || first == null || first.readableBytes() < length) {
            byte[] copy = takeMessageBytes(length, throughEnd);
            return copy.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(copy);
        }
        ByteBuf slice = first.retainedSlice(first.readerIndex(), length);
        consume(length, throughEnd, null);
        return slice;
    }

    /**
     * Consumes {@code length} bytes of the head Message, copying them into {@code out} unless it is
     * null (the caller took them already), and releases the units consumed.
     */
    private void consume(int length, boolean throughEnd, byte[] out) {
        int offset = 0;
        while (true) {
            Unit head = this.head;
            if (head == null) {
                break;
            }
            int chunk = Math.min(length - offset, head.data.readableBytes());
            if (chunk > 0) {
                if (out != null) {
                    head.data.readBytes(out, offset, chunk);
                } else {
                    head.data.skipBytes(chunk);
                }
                offset += chunk;
            }
            if (head.data.isReadable() || head == appendable) {
                // Partly read, or the coalescing chunk that later reads still fill.
                break;
            }
            if (head.endOfMessage) {
                if (throughEnd) {
                    pollHead();
                }
                break;
            }
            pollHead();
            if (offset == length && !throughEnd) {
                break;
            }
        }
        bytes -= length;
    }

    /** Removes the end-of-stream marker once its end was delivered. */
    MessageContext takeEndOfStream() {
        return pollHead().context;
    }

    /** Copies up to {@code length} bytes of the head datagram; removes it when fully consumed. */
    byte[] takeFromHead(int length) {
        Unit head = this.head;
        int chunk = Math.min(length, head.data.readableBytes());
        byte[] out = new byte[chunk];
        head.data.readBytes(out);
        tookFromHead(chunk);
        return out;
    }

    /** {@link #takeFromHead} for a borrowed Message: a retained slice of the head datagram's buffer. */
    ByteBuf takeBufferFromHead(int length) {
        Unit head = this.head;
        int chunk = Math.min(length, head.data.readableBytes());
        ByteBuf out = chunk == 0 ? Unpooled.EMPTY_BUFFER : head.data.readRetainedSlice(chunk);
        tookFromHead(chunk);
        return out;
    }

    /** {@code chunk} bytes of the head datagram were read: it goes once none is left. */
    private void tookFromHead(int chunk) {
        bytes -= chunk;
        if (!head.data.isReadable()) {
            pollHead();
        }
    }

    private Unit pollHead() {
        Unit head = this.head;
        this.head = rest == null ? null : rest.poll();
        head.data.release();
        charge(-head.memory);
        if (head == appendable) {
            appendable = null;
        }
        if (head.endOfStream) {
            chunkAndEnd &= ~END_OF_STREAM_QUEUED;
        }
        if (this.head == null) {
            chunkAndEnd &= ~DOUBLINGS;
        }
        return head;
    }

    void releaseAll() {
        while (head != null) {
            pollHead();
        }
        bytes = 0;
    }
}

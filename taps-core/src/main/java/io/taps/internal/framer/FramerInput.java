package io.taps.internal.framer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.taps.MessageContext;
import java.util.Iterator;

/**
 * The unparsed input of a {@link FramerRuntime} (RFC 9623 §6.3): its receive cursor over a
 * queue of received buffers, never merged, and the handler's {@link RareState}. Views and
 * deliveries are slices of those buffers (a composite of slices when they span buffers), so no
 * payload byte is copied. A superclass of the runtime, not an object of its own, so that every
 * framed Connection keeps no more than the head buffer, a count and a reference here.
 */
abstract sealed class FramerInput permits FramerState {
    /** The Message of the framer below that a buffered input buffer belongs to. */
    record Origin(MessageContext context, boolean endOfMessage) {
    }

    static final Origin RAW = new Origin(null, false);

    /** The head of the unparsed input (the buffers after it are in {@link RareState}). */
    ByteBuf inputHead;
    /** What is held only now and then; null most of the time (see {@link RareState}). */
    RareState rare;

    /**
     * Unparsed bytes: at most {@link FramerReceiver#MAX_UNPARSED} plus what one framer call let
     * arrive. Counted from the buffers (the head's readable bytes and those of the later ones,
     * which nothing reads before they become the head), not kept in a field of its own: 4 B that
     * took every framed Connection's runtime from 40 to 48 B (issue 21 figure 12).
     */
    final int available() {
        ByteBuf head = inputHead;
        if (head == null) {
            return 0;
        }
        return rare == null ? head.readableBytes() : head.readableBytes() + rare.laterBytes();
    }

    final RareState rare() {
        RareState state = rare;
        if (state == null) {
            state = new RareState();
            rare = state;
            rareMade();
        }
        return state;
    }

    /**
     * Lets go of the RareState once nothing in it is in use, unless the handler keeps it: one whose
     * traffic needs it again and again (a peer that writes a Message's header and body apart, so
     * each Message waits for its body as an earmark) would make one per Message.
     */
    final void dropRareIfIdle() {
        if (rare != null && !keepsRare() && rare.idle()) {
            rare = null;
        }
    }

    /** Told each time a RareState is made (see {@link #keepsRare}). */
    abstract void rareMade();

    /** Whether the RareState stays once idle: it was needed more than once. */
    abstract boolean keepsRare();

    /** Bytes of the Message being delivered that are still to arrive. */
    final long earmark() {
        return rare == null ? 0 : rare.earmark;
    }

    /** The parts of a partially sent Message the shared built-in framer holds for this Connection. */
    final CompositeByteBuf heldParts() {
        return rare == null ? null : rare.heldParts;
    }

    final void holdParts(CompositeByteBuf parts) {
        if (parts != null) {
            rare().heldParts = parts;
        } else if (rare != null) {
            rare.heldParts = null;
            dropRareIfIdle();
        }
    }

    final void releaseInput() {
        ByteBuf buffer;
        while ((buffer = pollInput()) != null) {
            buffer.release();
        }
    }

    /** Removes the head of the input; the next buffer (and its origin) becomes the head. */
    final ByteBuf pollInput() {
        ByteBuf head = inputHead;
        inputHead = rare == null ? null : rare.pollLater();
        return head;
    }

    final void addInput(ByteBuf data, Origin origin) {
        if (inputHead == null) {
            inputHead = data;
            if (origin != RAW) {
                rare().headOrigin = origin;
            }
            return;
        }
        rare().addLater(data, origin);
    }

    /** Where the head input buffer came from. */
    final Origin headOrigin() {
        return rare == null || rare.headOrigin == null ? RAW : rare.headOrigin;
    }

    final int inputBuffers() {
        return inputHead == null ? 0 : 1 + (rare == null ? 0 : rare.laterInputCount());
    }

    /** A read-only view of the first {@code length} unparsed bytes (at most {@link #available()}). */
    final ByteBuf view(int length) {
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
        ByteBuf buffer = head;
        Iterator<ByteBuf> later = rare == null ? null : rare.laterInput();
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
     * The {@code bytes}-wide unsigned field at the cursor (at least that many are available),
     * read where it lies when the head buffer holds it whole, without a view.
     */
    final long readField(int bytes, boolean littleEndian) {
        ByteBuf head = inputHead;
        if (head != null && head.readableBytes() >= bytes) {
            return HeaderCodec.read(head, head.readerIndex(), bytes, littleEndian);
        }
        ByteBuf spanning = view(bytes);
        return HeaderCodec.read(spanning, spanning.readerIndex(), bytes, littleEndian);
    }

    /** Discards {@code length} unparsed bytes (at most {@link #available()}). */
    final void skip(int length) {
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
    }

    /** Removes {@code length} bytes at the cursor as retained slices (a composite when they span buffers). */
    final ByteBuf take(int length, ByteBufAllocator alloc) {
        if (length == 0) {
            return Unpooled.EMPTY_BUFFER;
        }
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
        CompositeByteBuf spanning = alloc.compositeBuffer(Math.max(2, inputBuffers()));
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

    /** Received bytes this framer holds unparsed (for tests of memory bounds). */
    final long buffered() {
        return available();
    }
}

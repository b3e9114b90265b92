package io.taps.internal.framer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.framer.FramerContext;
import io.taps.internal.SendHeadroom;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * What the length-prefix and TLV framers share (RFC 9623 §6.2, §6.3): reading and writing
 * big- or little-endian unsigned header fields of 1, 2, 4 or 8 bytes, and holding the parts of a
 * partially sent Message (as a composite, never copied) until its end gives the length.
 *
 * <p>Immutable: one codec (and one framer) serves every Connection of a factory, from any event
 * loop (issue 21 figure 12: a framer and codec per Connection were 56 B of it). The parts of a
 * partial send are the one per-Connection state; they are kept by the Connection's own
 * {@link FramerContext} (taps' {@link FramerRuntime}), or, under a context of another kind (a
 * framer wrapping a built-in one), in a map by context.
 */
public final class HeaderCodec {
    /** The held parts under contexts that are not taps' own: weak keys, so a forgotten context goes. */
    private static final Map<FramerContext, CompositeByteBuf> FOREIGN_PARTS =
            Collections.synchronizedMap(new WeakHashMap<>());

    private final int fieldBytes;
    private final boolean littleEndian;
    private final long maxMessageSize;

    public HeaderCodec(int fieldBytes, boolean littleEndian, long maxMessageSize) {
        checkWidth(fieldBytes, "length");
        this.fieldBytes = fieldBytes;
        this.littleEndian = littleEndian;
        this.maxMessageSize = Math.min(maxMessageSize, largest(fieldBytes));
    }

    /**
     * Payloads up to this size are written together with their header into one pooled direct
     * buffer. Sockets write only direct memory (epoll and NIO alike copy a heap buffer into a
     * direct one first), so for a heap payload that is the single copy the write needs anyway,
     * made a step earlier; for a direct one (SendPath copies a small Message into a pooled direct
     * buffer) it is a second copy of at most 2 KiB, cheaper than what header plus payload cost:
     * a composite per frame and a NIO buffer per component at the write (~440 B of garbage per
     * 64 B Message, issue 21). Larger payloads go out as header plus the original buffer, never
     * copied by the framer.
     */
    public static final int SMALL_PAYLOAD = 2048;

    /**
     * Sends {@code whole} as one frame: a {@code typeBytes}-byte {@code type} (none when 0), the
     * length, then the Message's bytes. Written in place in front of the Message when it is a copy
     * whose headroom taps offered ({@link SendHeadroom}): one buffer, no second copy. Takes
     * ownership of {@code whole}.
     */
    public void sendFrame(FramerContext context, ByteBuf whole, long type, int typeBytes, boolean typeLittleEndian) {
        int headerBytes = typeBytes + fieldBytes;
        long length = whole.readableBytes();
        boolean inPlace = SendHeadroom.claim(whole, headerBytes);
        ByteBuf header = inPlace ? whole : newHeader(context, headerBytes, whole);
        int at = inPlace ? whole.readerIndex() - headerBytes : header.writerIndex();
        if (typeBytes > 0) {
            set(header, at, type, typeBytes, typeLittleEndian);
        }
        set(header, at + typeBytes, length, fieldBytes, littleEndian);
        if (inPlace) {
            whole.readerIndex(at);
            context.send(whole);
        } else {
            header.writerIndex(at + headerBytes);
            sendHeaderAndPayload(context, header, whole);
        }
    }

    /** The buffer to write a frame's {@code headerBytes} into, with room for the payload when {@link #sendHeaderAndPayload} coalesces. */
    private static ByteBuf newHeader(FramerContext context, int headerBytes, ByteBuf payload) {
        return coalesces(payload) ? context.alloc().directBuffer(headerBytes + payload.readableBytes())
                : context.alloc().buffer(headerBytes, headerBytes);
    }

    /** Sends a header made by {@link #newHeader} and its payload; takes ownership of both. */
    private static void sendHeaderAndPayload(FramerContext context, ByteBuf header, ByteBuf payload) {
        if (coalesces(payload)) {
            ByteBuf backing = arrayBacked(payload);
            if (backing != null) {
                // From the array: copying from a heap ByteBuf would make a NIO view of it first.
                header.writeBytes(backing.array(), backing.arrayOffset() + payload.readerIndex(), payload.readableBytes());
            } else {
                // Read by the payload into the header, not written from it: Netty 4.2's adaptive
                // buffer copies from another buffer through two NIO views (~156 B per frame), while
                // a direct payload copies into it by address (a borrowed Message sent back, session 23).
                int length = payload.readableBytes();
                payload.getBytes(payload.readerIndex(), header, header.writerIndex(), length);
                header.writerIndex(header.writerIndex() + length);
            }
            payload.release();
            context.send(header);
        } else {
            context.send(header);
            context.send(payload);
        }
    }

    /**
     * The buffer whose array holds {@code payload}'s bytes at {@code payload}'s own indices, or
     * null: the payload itself, or the buffer under a read-only view of one (SendPath hands framers
     * a read-only view of the application's array), which is only read here.
     */
    @SuppressWarnings("deprecation")
    private static ByteBuf arrayBacked(ByteBuf payload) {
        if (payload.hasArray()) {
            return payload;
        }
        if (payload instanceof io.netty.buffer.ReadOnlyByteBuf && payload.unwrap().hasArray()) {
            // A ReadOnlyByteBuf shares the index space of the buffer it wraps.
            return payload.unwrap();
        }
        return null;
    }

    private static boolean coalesces(ByteBuf payload) {
        return payload.readableBytes() <= SMALL_PAYLOAD;
    }

    /** Rejects widths other than 1, 2, 4 and 8 bytes. */
    public static void checkWidth(int bytes, String field) {
        if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) {
            throw new IllegalArgumentException("the " + field + " field must be 1, 2, 4 or 8 bytes, not " + bytes);
        }
    }

    /** The largest value a field of {@code bytes} can carry. */
    public static long largest(int bytes) {
        return bytes == 8 ? Long.MAX_VALUE : (1L << (8 * bytes)) - 1;
    }

    /** The effective limit: the configured maximum, capped by what the length field can express. */
    public long maxMessageSize() {
        return maxMessageSize;
    }

    /** Reads an unsigned field of {@code bytes} at {@code index}; an 8-byte field above 2^63-1 reads negative. */
    public static long read(ByteBuf buffer, int index, int bytes, boolean littleEndian) {
        switch (bytes) {
            case 1:
                return buffer.getUnsignedByte(index);
            case 2:
                return littleEndian ? buffer.getUnsignedShortLE(index) : buffer.getUnsignedShort(index);
            case 4:
                return littleEndian ? buffer.getUnsignedIntLE(index) : buffer.getUnsignedInt(index);
            default:
                return littleEndian ? buffer.getLongLE(index) : buffer.getLong(index);
        }
    }

    /** Sets {@code value} as a {@code bytes}-byte field at {@code index}, leaving the buffer's indices as they are. */
    static void set(ByteBuf buffer, int index, long value, int bytes, boolean littleEndian) {
        switch (bytes) {
            case 1:
                buffer.setByte(index, (int) value);
                break;
            case 2:
                if (littleEndian) {
                    buffer.setShortLE(index, (int) value);
                } else {
                    buffer.setShort(index, (int) value);
                }
                break;
            case 4:
                if (littleEndian) {
                    buffer.setIntLE(index, (int) value);
                } else {
                    buffer.setInt(index, (int) value);
                }
                break;
            default:
                if (littleEndian) {
                    buffer.setLongLE(index, value);
                } else {
                    buffer.setLong(index, value);
                }
        }
    }


    public long readLength(ByteBuf buffer, int index) {
        return read(buffer, index, fieldBytes, littleEndian);
    }

    /**
     * The length field at the receive cursor of {@code context}, which holds at least its bytes.
     * Under taps' own context it is read in place, without the view {@link FramerContext#parse}
     * makes, since the built-in framers read one per received Message.
     */
    public long peekLength(FramerContext context) {
        if (context instanceof FramerRuntime) {
            return ((FramerRuntime) context).peekField(fieldBytes, littleEndian);
        }
        ByteBuf header = context.parse(fieldBytes, fieldBytes);
        return readLength(header, header.readerIndex());
    }


    /**
     * Collects {@code data} as (part of) a sent Message; returns the whole Message's bytes once
     * {@code endOfMessage} (the parts as one composite, never copied), else null. Throws
     * MessageTooLarge past the limit, releasing what it held.
     */
    public ByteBuf collect(FramerContext context, ByteBuf data, boolean endOfMessage, String framer) {
        CompositeByteBuf parts = heldParts(context);
        long total = (parts == null ? 0 : parts.readableBytes()) + (long) data.readableBytes();
        if (total > maxMessageSize) {
            data.release();
            releaseParts(context);
            throw new TransportServicesException(ErrorReason.MESSAGE_TOO_LARGE, "a message of " + total
                    + " bytes is larger than the " + framer + "'s maximum of " + maxMessageSize + " bytes");
        }
        if (parts == null) {
            if (endOfMessage) {
                return data;
            }
            parts = context.alloc().compositeBuffer(Integer.MAX_VALUE);
            holdParts(context, parts);
        }
        parts.addComponent(true, data);
        if (!endOfMessage) {
            return null;
        }
        holdParts(context, null);
        return parts;
    }

    /** Releases the parts of a partial send held for {@code context} (its Connection stopped, or the send failed). */
    public void releaseParts(FramerContext context) {
        CompositeByteBuf parts = heldParts(context);
        if (parts != null) {
            holdParts(context, null);
            parts.release();
        }
    }

    private static CompositeByteBuf heldParts(FramerContext context) {
        return context instanceof FramerRuntime ? ((FramerRuntime) context).heldParts() : FOREIGN_PARTS.get(context);
    }

    private static void holdParts(FramerContext context, CompositeByteBuf parts) {
        if (context instanceof FramerRuntime) {
            ((FramerRuntime) context).holdParts(parts);
        } else if (parts == null) {
            FOREIGN_PARTS.remove(context);
        } else {
            FOREIGN_PARTS.put(context, parts);
        }
    }
}

package io.taps.framer.tlv;

import io.netty.buffer.ByteBuf;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.framer.Framer;
import io.taps.framer.FramerContext;
import io.taps.framer.FramerFactory;
import io.taps.internal.framer.HeaderCodec;
import java.util.OptionalLong;

/**
 * The type-length-value Message Framer (RFC 9623 §6.2 and §6.3; the TLV framer of the PyTAPS
 * example and of the NEATPy framer experiment, M-53): every Message is sent as an unsigned type
 * field, an unsigned length field (each 1, 2, 4 or 8 bytes, big-endian unless
 * {@link Builder#littleEndian()}) and the Message's bytes,
 * which are not copied (a heap payload of at most 2 KiB goes into one direct buffer with its
 * header: the one copy the socket write makes anyway).
 *
 * <p>The message type travels in the MessageContext as the framer value {@link #TYPE} (a
 * {@code Long}): set it on a sent Message with {@link #withType}, read it on a received one with
 * {@link #type}. A sent Message without a type is sent with type 0.
 *
 * <p>Limits and errors: as for the length-prefix framer, a length above
 * {@link Builder#maxMessageSize} (default {@value #DEFAULT_MAX_MESSAGE_SIZE} bytes) fails the
 * Connection with {@code MessageTooLarge} when the header is read, before any body is buffered;
 * bodies are delivered as they arrive (earmarked), so the framer holds at most one header; a
 * stream ending inside a header or body fails with {@code DeframingFailed}; a type that does not
 * fit the type field gives SendError {@code InvalidMessageProperties}.
 *
 * <p>Shared: the framer keeps no state of its own Connection (the parts of a partial send stay
 * with the Connection's {@link FramerContext}), so a factory hands the same immutable,
 * thread-safe instance to every Connection ({@link FramerFactory}, Q-13) instead of one each.
 */
public final class TlvFramer implements Framer {
    /** The framer value key of the message type (RFC 9623 §6): a {@code Long}. */
    public static final String TYPE = "tlv.type";
    /** The default largest Message: 64 MiB. */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 64L << 20;

    private final int typeBytes;
    private final int lengthBytes;
    private final boolean littleEndian;
    private final HeaderCodec codec;

    private TlvFramer(Builder builder) {
        this.typeBytes = builder.typeBytes;
        this.lengthBytes = builder.lengthBytes;
        this.littleEndian = builder.littleEndian;
        this.codec = new HeaderCodec(builder.lengthBytes, builder.littleEndian, builder.maxMessageSize);
    }

    /** The largest value this framer sends or accepts. */
    @Override
    public long maxMessageSize() {
        return codec.maxMessageSize();
    }

    /** A factory for a {@code typeBytes} type field and a {@code lengthBytes} length field, default limit. */
    public static FramerFactory factory(int typeBytes, int lengthBytes) {
        return builder(typeBytes, lengthBytes).factory();
    }

    public static Builder builder(int typeBytes, int lengthBytes) {
        return new Builder(typeBytes, lengthBytes);
    }

    /** {@code context} with the message type {@code type} for the TLV framer. */
    public static MessageContext withType(MessageContext context, long type) {
        return context.withFramerValue(TYPE, type);
    }

    /** The message type of a received (or to be sent) Message, if the TLV framer set one. */
    public static OptionalLong type(MessageContext context) {
        return context.framerValue(TYPE, Long.class).map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    @Override
    public void newSentMessage(FramerContext context, ByteBuf data, MessageContext messageContext,
            boolean endOfMessage) {
        long type = type(messageContext).orElse(0);
        if (type < 0 || type > HeaderCodec.largest(typeBytes)) {
            data.release();
            codec.releaseParts(context);
            throw new TransportServicesException(ErrorReason.INVALID_MESSAGE_PROPERTIES, "TLV type " + type
                    + " does not fit a " + typeBytes + "-byte type field");
        }
        ByteBuf whole = codec.collect(context, data, endOfMessage, "TLV framer");
        if (whole == null) {
            return;
        }
        codec.sendFrame(context, whole, type, typeBytes, littleEndian);
    }

    @Override
    public void handleReceivedData(FramerContext context) {
        int headerBytes = typeBytes + lengthBytes;
        ByteBuf header = context.parse(headerBytes, headerBytes);
        if (header == null) {
            if (context.inputEnded() && context.readableBytes() > 0) {
                context.failConnection(ErrorReason.DEFRAMING_FAILED, "the peer ended the stream inside a "
                        + headerBytes + "-byte TLV header (" + context.readableBytes() + " bytes of it arrived)");
            }
            return;
        }
        long type = HeaderCodec.read(header, header.readerIndex(), typeBytes, littleEndian);
        long length = codec.readLength(header, header.readerIndex() + typeBytes);
        if (length < 0 || length > codec.maxMessageSize()) {
            context.failConnection(ErrorReason.MESSAGE_TOO_LARGE, "a TLV header (type "
                    + Long.toUnsignedString(type) + ") announces a value of " + Long.toUnsignedString(length)
                    + " bytes, more than the TLV framer's maximum of " + codec.maxMessageSize() + " bytes");
            return;
        }
        context.advanceReceiveCursor(headerBytes);
        context.deliverAndAdvanceReceiveCursor(withType(context.receivedContext(), type), length, true);
    }

    @Override
    public void stop(FramerContext context) {
        codec.releaseParts(context);
    }

    /** Options of the TLV framer (RFC 9623 §6). */
    public static final class Builder {
        private final int typeBytes;
        private final int lengthBytes;
        private long maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private boolean littleEndian;

        private Builder(int typeBytes, int lengthBytes) {
            HeaderCodec.checkWidth(typeBytes, "type");
            HeaderCodec.checkWidth(lengthBytes, "length");
            this.typeBytes = typeBytes;
            this.lengthBytes = lengthBytes;
        }

        /** The largest value sent or accepted, in bytes (at least 0). */
        public Builder maxMessageSize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxMessageSize must be >= 0, was " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /** Little-endian type and length fields instead of network byte order. */
        public Builder littleEndian() {
            this.littleEndian = true;
            return this;
        }

        /**
         * A factory giving every Connection the one framer with these options: it is
         * immutable and keeps its Connections' state in their contexts, so sharing it is safe.
         */
        public FramerFactory factory() {
            TlvFramer shared = new TlvFramer(this);
            return () -> shared;
        }
    }
}

package io.taps.framer.lengthprefix;

import io.netty.buffer.ByteBuf;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.framer.Framer;
import io.taps.framer.FramerContext;
import io.taps.framer.FramerFactory;
import io.taps.internal.framer.HeaderCodec;

/**
 * The length-prefix Message Framer (RFC 9623 §6.2 and §6.3, M-53): every Message is sent as an
 * unsigned length field of 1, 2, 4 or 8 bytes (big-endian unless {@link Builder#littleEndian()})
 * followed by the Message's bytes, which are not copied: only a heap payload of at most 2 KiB
 * is written with its header into one direct buffer, the one copy the socket write makes anyway.
 *
 * <p>Receiving: the framer parses the length field, advances past it and delivers the body with
 * DeliverAndAdvanceReceiveCursor, so a large Message is handed up as it arrives and never held
 * whole by the framer (M-52).
 *
 * <p>Limits and errors: a length above {@link Builder#maxMessageSize} (default
 * {@value #DEFAULT_MAX_MESSAGE_SIZE} bytes, capped by what the field can express) fails the
 * Connection with {@code MessageTooLarge} as soon as the length field is read, naming both
 * numbers, before any of the body is buffered; Messages before it are received first. The framer
 * itself buffers at most one length field; an 8-byte length above 2^63-1 is refused the same way.
 * A stream that ends inside a length field or a body fails with {@code DeframingFailed}. Sending a
 * Message longer than the limit gives SendError {@code MessageTooLarge}; partial sends are held
 * (as a composite, not copied) until the end of their Message, up to the limit.
 *
 * <p>Shared: the framer keeps no state of its own Connection (the parts of a partial send stay
 * with the Connection's {@link FramerContext}), so a factory hands the same immutable,
 * thread-safe instance to every Connection ({@link FramerFactory}, Q-13) instead of one each
 * (24 B of every framed Connection and 32 B of its codec, issue 21 figure 12).
 */
public final class LengthPrefixFramer implements Framer {
    /** The default largest Message: 64 MiB. */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 64L << 20;

    private final int prefixBytes;
    private final HeaderCodec codec;

    private LengthPrefixFramer(Builder builder) {
        this.prefixBytes = builder.prefixBytes;
        this.codec = new HeaderCodec(builder.prefixBytes, builder.littleEndian, builder.maxMessageSize);
    }

    /** A factory for big-endian length prefixes of {@code prefixBytes} (1, 2, 4 or 8) and the default limit. */
    public static FramerFactory factory(int prefixBytes) {
        return builder(prefixBytes).factory();
    }

    /** Options beyond {@link #factory(int)}. */
    public static Builder builder(int prefixBytes) {
        return new Builder(prefixBytes);
    }

    /** The largest Message this framer sends or accepts. */
    @Override
    public long maxMessageSize() {
        return codec.maxMessageSize();
    }

    @Override
    public void newSentMessage(FramerContext context, ByteBuf data, MessageContext messageContext,
            boolean endOfMessage) {
        ByteBuf whole = codec.collect(context, data, endOfMessage, "length-prefix framer");
        if (whole == null) {
            return;
        }
        codec.sendFrame(context, whole, 0, 0, false);
    }

    @Override
    public void handleReceivedData(FramerContext context) {
        if (context.readableBytes() < prefixBytes) {
            if (context.inputEnded() && context.readableBytes() > 0) {
                context.failConnection(ErrorReason.DEFRAMING_FAILED, "the peer ended the stream inside a "
                        + prefixBytes + "-byte length prefix (" + context.readableBytes() + " bytes of it arrived)");
            }
            return;
        }
        long length = codec.peekLength(context);
        if (length < 0 || length > codec.maxMessageSize()) {
            context.failConnection(ErrorReason.MESSAGE_TOO_LARGE, "a length prefix announces a message of "
                    + Long.toUnsignedString(length) + " bytes, more than the length-prefix framer's maximum of "
                    + codec.maxMessageSize() + " bytes");
            return;
        }
        context.advanceReceiveCursor(prefixBytes);
        context.deliverAndAdvanceReceiveCursor(context.receivedContext(), length, true);
    }

    @Override
    public void stop(FramerContext context) {
        codec.releaseParts(context);
    }

    /** Options of the length-prefix framer (RFC 9623 §6). */
    public static final class Builder {
        private final int prefixBytes;
        private boolean littleEndian;
        private long maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;

        private Builder(int prefixBytes) {
            HeaderCodec.checkWidth(prefixBytes, "length prefix");
            this.prefixBytes = prefixBytes;
        }

        /** Little-endian length fields instead of network byte order. */
        public Builder littleEndian() {
            this.littleEndian = true;
            return this;
        }

        /** The largest Message sent or accepted, in bytes (at least 0). */
        public Builder maxMessageSize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxMessageSize must be >= 0, was " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * A factory giving every Connection the one framer with these options: it is
         * immutable and keeps its Connections' state in their contexts, so sharing it is safe.
         */
        public FramerFactory factory() {
            LengthPrefixFramer shared = new LengthPrefixFramer(this);
            return () -> shared;
        }
    }
}

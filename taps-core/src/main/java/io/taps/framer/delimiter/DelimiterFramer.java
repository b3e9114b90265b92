package io.taps.framer.delimiter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.taps.ErrorReason;
import io.taps.MessageContext;
import io.taps.TransportServicesException;
import io.taps.framer.Framer;
import io.taps.framer.FramerContext;
import io.taps.framer.FramerFactory;
import java.util.Arrays;

/**
 * The delimiter Message Framer (RFC 9623 §6.2 and §6.3): every Message is sent followed by a
 * delimiter (by default a line feed, {@link #lines()}); received bytes up to each delimiter are
 * one Message, delivered without copying, with the delimiter stripped unless
 * {@link Builder#keepDelimiter()}. With {@link Builder#crlfTolerant()} a carriage return before a
 * line-feed delimiter is stripped too.
 *
 * <p>Limits and errors: a Message cannot be delivered before its delimiter arrives, so the framer
 * holds received bytes until then, at most {@link Builder#maxMessageSize} (default
 * {@value #DEFAULT_MAX_MESSAGE_SIZE} bytes) plus the delimiter plus the rest of one network read:
 * when no delimiter is found within the limit the Connection fails with {@code MessageTooLarge},
 * after the Messages before it were received. A stream that ends after bytes without a delimiter
 * fails with {@code DeframingFailed}. Sending a Message that contains the delimiter gives SendError
 * {@code InvalidMessageProperties} (it would split into two Messages at the peer); the check scans
 * each sent part, so a delimiter split across two partial sends is not detected. Sending a
 * Message longer than the limit gives SendError {@code MessageTooLarge}.
 */
public final class DelimiterFramer implements Framer {
    /** The default largest Message: 64 KiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024;

    private final byte[] delimiter;
    private final int maxMessageSize;
    private final boolean strip;
    private final boolean crlf;
    /** Bytes at the cursor already searched without finding a delimiter start. */
    private int searched;
    private long sentOfCurrent;

    private DelimiterFramer(Builder builder) {
        this.delimiter = builder.delimiter;
        this.maxMessageSize = builder.maxMessageSize;
        this.strip = builder.strip;
        this.crlf = builder.crlfTolerant;
    }

    @Override
    public long maxMessageSize() {
        return maxMessageSize;
    }

    /** A factory for Messages ended by {@code delimiter} (at least one byte), with the default options. */
    public static FramerFactory factory(byte[] delimiter) {
        return builder(delimiter).factory();
    }

    /** A factory for line-feed-delimited Messages (text lines). */
    public static FramerFactory lines() {
        return builder(new byte[] {'\n'}).factory();
    }

    public static Builder builder(byte[] delimiter) {
        return new Builder(delimiter);
    }

    @Override
    public void newSentMessage(FramerContext context, ByteBuf data, MessageContext messageContext,
            boolean endOfMessage) {
        if (indexOf(data, 0, data.readableBytes()) >= 0) {
            data.release();
            sentOfCurrent = 0;
            throw new TransportServicesException(ErrorReason.INVALID_MESSAGE_PROPERTIES,
                    "the message contains the framer's delimiter " + Arrays.toString(delimiter));
        }
        sentOfCurrent += data.readableBytes();
        if (sentOfCurrent > maxMessageSize) {
            long size = sentOfCurrent;
            data.release();
            sentOfCurrent = 0;
            throw new TransportServicesException(ErrorReason.MESSAGE_TOO_LARGE, "a message of " + size
                    + " bytes is larger than the delimiter framer's maximum of " + maxMessageSize + " bytes");
        }
        context.send(data);
        if (endOfMessage) {
            sentOfCurrent = 0;
            context.send(Unpooled.wrappedBuffer(delimiter));
        }
    }

    @Override
    public void handleReceivedData(FramerContext context) {
        int readable = context.readableBytes();
        int window = (int) Math.min(readable, (long) maxMessageSize + delimiter.length + (crlf ? 1 : 0));
        ByteBuf view = context.parse(0, window);
        int base = view.readerIndex();
        int from = Math.max(0, searched - delimiter.length + 1);
        int found = indexOf(view, from, window);
        if (found < 0) {
            searched = window;
            if (window >= maxMessageSize + delimiter.length + (crlf ? 1 : 0)) {
                context.failConnection(ErrorReason.MESSAGE_TOO_LARGE, "no delimiter within the delimiter framer's"
                        + " maximum message size of " + maxMessageSize + " bytes (" + readable + " bytes received)");
            } else if (context.inputEnded() && readable > 0) {
                context.failConnection(ErrorReason.DEFRAMING_FAILED, "the peer ended the stream with " + readable
                        + " bytes after the last delimiter");
            }
            return;
        }
        searched = 0;
        int length = found;
        int skip = delimiter.length;
        if (crlf && length > 0 && view.getByte(base + length - 1) == '\r') {
            length--;
            skip++;
        }
        if (length > maxMessageSize) {
            context.failConnection(ErrorReason.MESSAGE_TOO_LARGE, "a message of " + length
                    + " bytes is larger than the delimiter framer's maximum of " + maxMessageSize + " bytes");
            return;
        }
        if (strip) {
            context.deliverAndAdvanceReceiveCursor(context.receivedContext(), length, true);
            context.advanceReceiveCursor(skip);
        } else {
            context.deliverAndAdvanceReceiveCursor(context.receivedContext(), length + skip, true);
        }
    }

    /** The offset (from the reader index) of the first delimiter starting in [from, end), or -1. */
    private int indexOf(ByteBuf buffer, int from, int end) {
        int base = buffer.readerIndex();
        if (delimiter.length == 1) {
            int at = buffer.indexOf(base + from, base + end, delimiter[0]);
            return at < 0 ? -1 : at - base;
        }
        int last = end - delimiter.length;
        outer:
        for (int i = from; i <= last; i++) {
            for (int j = 0; j < delimiter.length; j++) {
                if (buffer.getByte(base + i + j) != delimiter[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Options of the delimiter framer (RFC 9623 §6). */
    public static final class Builder {
        private final byte[] delimiter;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private boolean strip = true;
        private boolean crlfTolerant;

        private Builder(byte[] delimiter) {
            if (delimiter == null || delimiter.length == 0) {
                throw new IllegalArgumentException("the delimiter needs at least one byte");
            }
            this.delimiter = delimiter.clone();
        }

        /** The largest Message (without its delimiter), in bytes. */
        public Builder maxMessageSize(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxMessageSize must be >= 0, was " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /** Delivers each Message with its delimiter (and carriage return) instead of stripping them. */
        public Builder keepDelimiter() {
            this.strip = false;
            return this;
        }

        /** Also strips a carriage return before a line-feed delimiter ("\r\n" lines). */
        public Builder crlfTolerant() {
            this.crlfTolerant = true;
            return this;
        }

        /** A factory making a new framer with these options for every Connection. */
        public FramerFactory factory() {
            Builder snapshot = new Builder(delimiter).maxMessageSize(maxMessageSize);
            snapshot.strip = strip;
            snapshot.crlfTolerant = crlfTolerant;
            return () -> new DelimiterFramer(snapshot);
        }
    }
}

package io.taps.internal;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Room left free in front of a small Message's pooled copy, offered to the built-in framers for
 * their header while the copy is written down on this thread: the length-prefix and TLV framers
 * then write the header in place and send one buffer, where they otherwise take a second pooled
 * buffer and copy the Message into it behind the header (issue 21: every allocator call also has
 * Netty's leak detector sample one buffer in 128 with a stack trace, ~40 B per call on average).
 *
 * <p>Only the buffer offered, by identity, and only during the write that offered it: a framer of
 * the application's own may hand the built-in one another buffer, whose bytes in front of its
 * reader index are not taps' to overwrite. A write that leaves this thread (queued to the event
 * loop) finds nothing offered there and takes the second buffer, as before.
 */
public final class SendHeadroom {
    /** Bytes left free in front of a copy: the largest built-in header, an 8-byte type and an 8-byte length. */
    public static final int BYTES = 16;
    private static final FastThreadLocal<SendHeadroom> OFFERS = new FastThreadLocal<>() {
        @Override
        protected SendHeadroom initialValue() {
            return new SendHeadroom();
        }
    };

    private ByteBuf offered;

    private SendHeadroom() {
    }

    /** Offers {@code copy}'s headroom for the write about to run on this thread; {@link #withdraw} after it. */
    public static SendHeadroom offer(ByteBuf copy) {
        SendHeadroom offer = OFFERS.get();
        offer.offered = copy;
        return offer;
    }

    /** The write returned: the buffer is the framer's (or the channel's) now, and its headroom no longer offered. */
    public void withdraw() {
        offered = null;
    }

    /**
     * Whether {@code payload} is the buffer offered on this thread, with at least {@code headerBytes}
     * free in front of its reader index; the offer is taken (once) when it is.
     */
    public static boolean claim(ByteBuf payload, int headerBytes) {
        if (!OFFERS.isSet()) {
            return false;
        }
        SendHeadroom offer = OFFERS.get();
        if (offer.offered != payload || payload.readerIndex() < headerBytes) {
            return false;
        }
        offer.offered = null;
        return true;
    }
}

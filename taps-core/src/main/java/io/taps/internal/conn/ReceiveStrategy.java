package io.taps.internal.conn;

import io.taps.Message;
import io.taps.MessageContext;
import io.taps.internal.MessageAccess;

/**
 * How a Receive call is served from the inbound queue, one per kind of link, chosen once when the
 * Connection adopts its link (RFC 9622 §9.3): a byte stream is one Message ended by the peer's
 * FIN, a framed link yields the framer's Messages, a datagram link one Message per datagram.
 * The strategies keep no state (the path they serve is an argument), so one instance of each
 * serves every Connection (16 B of every Connection, issue 21 figure 12).
 */
interface ReceiveStrategy {
    MessageAccess MESSAGES = MessageAccess.get();
    /** Marks "the stream ended and no Message is in progress": the Receive gets ReceiveError. */
    Message END_OF_STREAM = Message.empty();

    ReceiveStrategy STREAM = new Stream();
    ReceiveStrategy FRAMED = new Framed();
    ReceiveStrategy DATAGRAM = new Datagram();

    /** The Message (or part) of {@code path} for {@code request}, null to wait for more, or {@link #END_OF_STREAM}. */
    Message take(ReceivePath path, ReceiveRequest request);

    /**
     * Bytes a Receive waits for before a partial delivery: its minIncompleteLength (1 when
     * unspecified), never above its maxLength nor {@link ReceivePath#RECEIVE_HARD_CAP}, so a huge
     * minimum gets what is queued at the cap instead of waiting on a buffer reading will not fill.
     */
    static long bytesWanted(ReceiveRequest request) {
        if (request.minIncompleteLength() == ReceiveRequest.UNSPECIFIED) {
            return 1;
        }
        return Math.max(1, Math.min(Math.min(request.minIncompleteLength(), request.maxLength()),
                ReceivePath.RECEIVE_HARD_CAP));
    }

    /**
     * Whether the Message for {@code request} is lent (a Receive made with
     * receiveBorrowedWithEvents): only when its handler runs at once, so that a lent buffer (which
     * may be a 64 KiB UDP buffer or a 16 KiB chunk around a few bytes, and is no longer counted by
     * the inbound queue) is held for that one call. Raised from a handler (the trampoline), on an
     * executor, or behind other events, the Message is an owned copy.
     */
    static boolean lends(ReceivePath path, ReceiveRequest request) {
        return request.borrows() && path.runsInline();
    }

    /** Picks the strategy for {@code link} (null while establishing: nothing arrives yet). */
    static ReceiveStrategy forLink(Link link) {
        if (link != null && link.framed()) {
            return FRAMED;
        }
        if (link == null || link.byteStream()) {
            return STREAM;
        }
        return DATAGRAM;
    }

    /** An unframed byte stream: bytes as they come, the whole stream one Message (RFC 9622 §9.3). */
    final class Stream implements ReceiveStrategy {
        @Override
        public Message take(ReceivePath path, ReceiveRequest request) {
            if (path.streamEndDelivered()) {
                return END_OF_STREAM;
            }
            return takeHeadMessage(path, request, ReceiveStrategy.bytesWanted(request));
        }
    }

    /**
     * A framed link (RFC 9623 §6): a whole Message when its end is queued and it fits
     * {@code maxLength}; else a part once {@code minIncompleteLength} bytes of it are queued
     * (unspecified: the smaller of maxLength and the receive high-water mark, so an earmarked huge
     * Message is never held whole).
     */
    final class Framed implements ReceiveStrategy {
        @Override
        public Message take(ReceivePath path, ReceiveRequest request) {
            InboundQueue.Unit head = path.inbound().peek();
            if (head == null) {
                return path.streamEndDelivered() && path.framingError() == null ? END_OF_STREAM : null;
            }
            if (head.endOfStream && path.framingError() != null && !path.partialDelivered()) {
                return null;
            }
            long wanted = request.minIncompleteLength() == ReceiveRequest.UNSPECIFIED
                    ? Math.min(request.maxLength(), ReceivePath.RECEIVE_HIGH_WATER)
                    : ReceiveStrategy.bytesWanted(request);
            return takeHeadMessage(path, request, wanted);
        }
    }

    /**
     * Serves {@code request} from the Message at the head of the queue, the same way for a stream
     * (one Message ended by the FIN marker) and a framed link: the whole Message when its end is
     * queued and it fits maxLength (the FIN marker, even alone, ends it: RFC 9622 §9.3.3.3), else a
     * part once {@code wanted} bytes of it are queued, else null to wait.
     */
    private static Message takeHeadMessage(ReceivePath path, ReceiveRequest request, long wanted) {
        InboundQueue inbound = path.inbound();
        InboundQueue.Unit head = inbound.peek();
        if (head == null) {
            return null;
        }
        long packed = inbound.headMessage();
        long queued = packed >>> 1;
        boolean complete = (packed & 1) != 0;
        if (complete && queued <= request.maxLength()) {
            InboundQueue.Unit end = inbound.headMessageEnd();
            // A stream's Message takes the FIN marker's (final) context, a framed one its framer's.
            MessageContext context = head.context != null ? head.context
                    : path.streamContext(end.context != null ? end.context : path.receivedContext(null, false), queued);
            boolean streamEnds = end.endOfStream;
            Message message = taken(path, request, (int) queued, true, context, true);
            if (streamEnds) {
                path.streamEnded();
            }
            return message;
        }
        if (queued < wanted || queued == 0) {
            return null;
        }
        int length = (int) Math.min(queued, request.maxLength());
        MessageContext context = head.context != null && !head.endOfStream ? head.context
                : path.streamContext(path.receivedContext(null, false), length);
        return taken(path, request, length, false, context, false);
    }

    /**
     * {@code length} bytes of the head Message as a Message: copied into an array of its own, or
     * lent from the queue's buffer (see InboundQueue#takeMessageBuffer) when {@link #lends}.
     */
    private static Message taken(ReceivePath path, ReceiveRequest request, int length, boolean throughEnd,
            MessageContext context, boolean endOfMessage) {
        InboundQueue inbound = path.inbound();
        if (lends(path, request)) {
            return MESSAGES.lend(inbound.takeMessageBuffer(length, throughEnd), context, endOfMessage);
        }
        return MESSAGES.adopt(inbound.takeMessageBytes(length, throughEnd), context, endOfMessage);
    }

    /** A datagram link: one Message per datagram, cut to {@code maxLength} (the rest is a partial). */
    final class Datagram implements ReceiveStrategy {
        @Override
        public Message take(ReceivePath path, ReceiveRequest request) {
            InboundQueue inbound = path.inbound();
            InboundQueue.Unit head = inbound.peek();
            if (head == null) {
                return null;
            }
            MessageContext context = head.context;
            int remaining = head.data.readableBytes();
            if (lends(path, request)) {
                io.netty.buffer.ByteBuf lent = inbound.takeBufferFromHead(request.maxLength());
                return MESSAGES.lend(lent, context, lent.readableBytes() == remaining);
            }
            byte[] bytes = inbound.takeFromHead(request.maxLength());
            return MESSAGES.adopt(bytes, context, bytes.length == remaining);
        }
    }
}

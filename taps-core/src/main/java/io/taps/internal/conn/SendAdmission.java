package io.taps.internal.conn;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.Direction;
import io.taps.properties.Limit;
import io.taps.properties.MessageProperties;
import io.taps.properties.Property;
import io.taps.spi.StackCapabilities;
import io.taps.spi.Support;
import java.util.Optional;

/**
 * Whether a Send may go ahead (RFC 9622 §9.2, E-13, MP-X1, MP-04, MP-05): a pure function of the
 * Connection's sending state, its chosen stack and the Message, so every rule is unit-testable
 * without a socket. A refusal becomes the Send's SendError.
 */
final class SendAdmission {
    private SendAdmission() {
    }

    /**
     * What the admission decision depends on.
     *
     * @param finalSent a Final Message was already sent (RFC 9622 §9.1.3.5)
     * @param closing Close was called or the Connection is Closing or Closed
     * @param direction the Connection's direction property
     * @param stack the chosen stack, or null while establishing
     * @param byteStream whether the established link is a byte stream (ignored while establishing)
     * @param maxMessageSize the link's largest Message, -1 when unlimited or not yet known
     */
    record Sender(boolean finalSent, boolean closing, Direction direction, StackCapabilities stack,
            boolean byteStream, int maxMessageSize) {
    }

    /** The refusal of a Send of {@code length} bytes with {@code effective} properties, or null when admitted. */
    static TransportServicesException refusal(Sender sender, int length, MessageProperties effective,
            boolean endOfMessage) {
        TransportServicesException refused = stateRefusal(sender.finalSent(), sender.closing(), sender.direction());
        return refused != null ? refused : messageRefusal(sender.stack(), sender.byteStream(),
                sender.maxMessageSize(), length, effective, endOfMessage);
    }

    /**
     * The first half of {@link #refusal}: what the Connection's sending state refuses, whatever the
     * Message. The send path calls the halves itself, so that no {@link Sender} is made per Send.
     */
    static TransportServicesException stateRefusal(boolean finalSent, boolean closing, Direction direction) {
        if (finalSent) {
            return new TransportServicesException(ErrorReason.FINAL_MESSAGE_SENT,
                    "a Final message was already sent on this connection (RFC 9622 §9.1.3.5)");
        }
        if (closing) {
            return new TransportServicesException(ErrorReason.CONNECTION_CLOSED, "the connection is closing");
        }
        if (direction == Direction.UNIDIRECTIONAL_RECEIVE) {
            return new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "the connection's direction is unidirectional receive, so it cannot send");
        }
        return null;
    }

    /** The second half of {@link #refusal}: what the chosen stack (null while establishing) refuses of this Message. */
    static TransportServicesException messageRefusal(StackCapabilities chosen, boolean byteStream, int maxMessageSize,
            int length, MessageProperties effective, boolean endOfMessage) {
        if (chosen == null) {
            return null;
        }
        if (maxMessageSize >= 0 && length > maxMessageSize) {
            return new TransportServicesException(ErrorReason.MESSAGE_TOO_LARGE, "message of " + length
                    + " bytes exceeds sendMsgMaxLen " + maxMessageSize + " of " + chosen.name());
        }
        // The stack's support is looked up only for a Message that asks: a map lookup per send otherwise.
        Optional<Boolean> askedReliable = effective.explicit(Property.MSG_RELIABLE);
        if (askedReliable.isPresent()
                && askedReliable.get() != (chosen.support(Property.RELIABILITY) == Support.ALWAYS)
                && chosen.support(Property.PER_MSG_RELIABILITY) == Support.NEVER) {
            return new TransportServicesException(ErrorReason.INVALID_MESSAGE_PROPERTIES, "msgReliable="
                    + askedReliable.get() + " needs per-message reliability, which " + chosen.name()
                    + " does not offer (RFC 9622 §9.1.3.7)");
        }
        if (byteStream && !endOfMessage && askedReliable.isPresent() && !askedReliable.get()
                && chosen.support(Property.PER_MSG_RELIABILITY) != Support.NEVER) {
            return new TransportServicesException(ErrorReason.INVALID_MESSAGE_PROPERTIES, "a msgReliable=false"
                    + " Message goes out whole in one unreliable transmission on " + chosen.name()
                    + " (RFC 9622 §9.1.3.7), so it cannot be sent in parts (§9.2.3)");
        }
        if (!byteStream && !endOfMessage) {
            return new TransportServicesException(ErrorReason.INVALID_MESSAGE_PROPERTIES, "partial sends need a"
                    + " byte-stream stack; on " + chosen.name() + " every send is one whole datagram (RFC 9622 §9.2.3)");
        }
        // QUIC datagrams (RFC 9221) are never duplicated: packet numbers are never reused (RFC 9000 §12.3).
        if (!byteStream && !effective.get(Property.SAFELY_REPLAYABLE)
                && chosen.support(Property.RELIABILITY) == Support.NEVER) {
            return new TransportServicesException(ErrorReason.INVALID_MESSAGE_PROPERTIES, chosen.name()
                    + " may duplicate messages, so every message must be safelyReplayable (RFC 9622 §9.1.3.4);"
                    + " use TransportProperties.unreliableDatagram() or set safelyReplayable");
        }
        return null;
    }

    /**
     * The refusal of writing a Message of {@code length} bytes that asks not to be fragmented or
     * segmented (RFC 9622 §9.1.3.9, §9.1.3.10), or null. On a datagram link a Message larger than
     * {@code singularMax} (singularTransmissionMsgMaxLen, from the path MTU) would need IP
     * fragmentation, so it is MessageTooLarge. A byte stream (TCP, QUIC) segments as its congestion
     * window and MSS decide, so noSegmentation cannot be honoured there; noFragmentation always is,
     * since Linux TCP and QUIC (RFC 9000 §14) never send IP fragments.
     */
    static TransportServicesException singularRefusal(String stack, boolean byteStream, int singularMax, int length,
            MessageProperties effective) {
        boolean noSegmentation = effective.get(Property.NO_SEGMENTATION);
        boolean noFragmentation = effective.get(Property.NO_FRAGMENTATION);
        if (!noSegmentation && !noFragmentation) {
            return null;
        }
        if (byteStream) {
            return noSegmentation ? new TransportServicesException(ErrorReason.INVALID_MESSAGE_PROPERTIES,
                    "noSegmentation cannot be honoured on " + stack + ": a byte stream is segmented by the"
                            + " transport, not per Message (RFC 9622 §9.1.3.10)") : null;
        }
        if (singularMax >= 0 && length > singularMax) {
            return new TransportServicesException(ErrorReason.MESSAGE_TOO_LARGE, "message of " + length
                    + " bytes exceeds singularTransmissionMsgMaxLen " + singularMax + " of " + stack + " and "
                    + (noSegmentation ? "noSegmentation" : "noFragmentation") + " is set (RFC 9622 §9.1.3.9)");
        }
        return null;
    }

    /** The refusal of queueing {@code size} more bytes behind {@code queued} under {@code limit}, or null. */
    static TransportServicesException queueRefusal(Limit limit, long queued, int size) {
        if (limit.allows(queued + size)) {
            return null;
        }
        return new TransportServicesException(ErrorReason.SEND_QUEUE_FULL, "send queue holds " + queued
                + " bytes; adding " + size + " would pass _taps.sendQueueLimit=" + limit);
    }
}

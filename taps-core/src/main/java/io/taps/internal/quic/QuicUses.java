package io.taps.internal.quic;

import io.taps.properties.Direction;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import io.taps.spi.StackUse;
import java.util.Optional;

/**
 * Which Selection Properties a QUIC Connection can honour, beyond what the stack's capabilities
 * say (they declare reliability, order and message boundaries optional because a QUIC connection
 * has both streams and DATAGRAM frames): a stream Connection is reliable and ordered and keeps
 * message boundaries only with a framer; a datagram Connection ({@link QuicDatagrams}) is
 * unreliable and unordered, keeps boundaries and has no framers; a receive-only stream is opened by
 * the peer (RFC 9000 §2.1), so it can be accepted but not initiated.
 */
final class QuicUses {
    private QuicUses() {
    }

    static Optional<String> unusableReason(StackUse use) {
        TransportProperties properties = use.properties();
        Role role = use.role();
        if (role == Role.INITIATE && properties.get(Property.DIRECTION, role) == Direction.UNIDIRECTIONAL_RECEIVE) {
            return Optional.of("a QUIC stream that only receives is opened by the peer (RFC 9000 §2.1):"
                    + " direction=UNIDIRECTIONAL_RECEIVE can be accepted by a Listener, not initiated");
        }
        if (role == Role.LISTEN && QuicDatagrams.acceptedBy(properties)) {
            return Optional.empty(); // a Listener accepts streams and datagram Connections alike
        }
        if (role == Role.INITIATE && QuicDatagrams.wanted(properties, role)) {
            if (use.framed()) {
                return Optional.of("reliability=" + properties.get(Property.RELIABILITY, role)
                        + " makes a QUIC datagram Connection (RFC 9221), on which Message Framers do not run");
            }
            return properties.get(Property.PRESERVE_ORDER, role) == Preference.REQUIRE
                    ? Optional.of("reliability=" + properties.get(Property.RELIABILITY, role) + " makes a QUIC"
                            + " datagram Connection (RFC 9221), which is unordered, but preserveOrder=REQUIRE")
                    : Optional.empty();
        }
        if (properties.get(Property.PRESERVE_MSG_BOUNDARIES, role) == Preference.REQUIRE && !use.framed()) {
            return Optional.of("preserveMsgBoundaries=REQUIRE: a QUIC stream keeps message boundaries only with a"
                    + " Message Framer (reliability Avoid or Prohibit makes a datagram Connection, which keeps them)");
        }
        if (properties.get(Property.PRESERVE_ORDER, role) == Preference.PROHIBIT) {
            return Optional.of("preserveOrder=PROHIBIT: a QUIC stream is ordered (reliability Avoid or Prohibit"
                    + " makes an unordered datagram Connection)");
        }
        return Optional.empty();
    }
}

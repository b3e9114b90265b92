package io.taps.internal.conn;

import io.taps.framer.FramerFactory;
import io.taps.internal.flow.ReceivePublisher;
import io.taps.internal.group.CloneSupport;
import io.taps.internal.group.TapsConnectionGroup;
import java.util.List;

/**
 * What a {@link TapsConnection} makes only when it is asked for, in one object made on first use:
 * the endpoints it knows besides its flow's (RFC 9622 §7.5), its messages() publisher, its
 * Connection Group (§7.4) and what Clone needs (the stack's clone support, the framer factories).
 * A Connection a Listener accepted uses none of them unless its application asks; five fields of
 * the Connection were 16 B more of every such one (issue 21 figure 12). An initiated Connection
 * knows its Preconnection's endpoints and is cloneable, so it makes this object (32 B) at once.
 *
 * <p>Made and written under the Connection's lock, published through its volatile field; the
 * fields keep the volatility they had in the Connection, so readers off the lock stay as they were.
 */
final class ConnectionExtras {
    /**
     * Made on first use other than adopting a flow (the Preconnection's endpoints, AddRemote and the
     * like): until then the endpoints known are those of the Connection's link, which is all an
     * accepted Connection ever knows (32 B of every one, issue 21 figure 12).
     */
    volatile KnownEndpoints endpoints;
    /** The Connection's messages() publisher, made on first use (issue 21 item 4). */
    volatile ReceivePublisher messages;
    /**
     * The Connection Group, made when first asked for (group(), Clone, an entangled SetProperty, a
     * listing): a Connection alone in its group needs none, and a group of one was ~100 B of every
     * idle accepted Connection (issue 21 item 4). A group made later gets {@link #cloneSupport}.
     */
    volatile TapsConnectionGroup group;
    /** Guarded by the Connection's lock. */
    CloneSupport cloneSupport;
    volatile List<FramerFactory> framerFactories = List.of();
}

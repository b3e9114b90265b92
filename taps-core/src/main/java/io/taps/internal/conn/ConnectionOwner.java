package io.taps.internal.conn;

import io.taps.internal.group.GroupMember;
import io.taps.monitor.TransportObserver;
import java.util.function.Consumer;

/**
 * The engine that tracks a Connection, as the Connection sees it: the observer its messages and
 * errors are reported to, who tracks the clones its group makes (RFC 9622 §7.4), and who forgets it
 * once closed. All are the engine's, the same for all its Connections: one reference to the owner
 * instead of an observer, a clone tracker and an end callback each is 8 B of every Connection
 * (issue 21 figure 12).
 */
public interface ConnectionOwner {
    /** The observer of the owner's Connections; {@link TransportObserver#NONE} for none. */
    TransportObserver connectionObserver();

    /** Tracks each clone as it joins a group of the owner's Connections. */
    Consumer<GroupMember> cloneTracker();

    /** {@code connection}'s closed() has its outcome (after {@link TapsConnection#tellOwnerWhenClosed}). */
    void connectionClosed(TapsConnection connection);
}

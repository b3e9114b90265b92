package io.taps.internal;

import io.taps.internal.conn.ConnectionOwner;
import io.taps.internal.conn.ConnectionRegistry;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.group.GroupMember;
import io.taps.monitor.TransportObserver;
import java.util.List;
import java.util.function.Consumer;

/**
 * The Connections an engine tracks until their end (its listings, path changes and shutdown), and
 * the {@link ConnectionOwner} each of them refers to: the engine's observer, the tracker of the
 * clones their groups make (RFC 9622 §7.4) and their untracking once closed. One object for all the
 * engine's Connections, so each keeps one reference to it rather than three (issue 21 figure 12).
 */
final class TrackedConnections implements ConnectionOwner {
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private volatile TransportObserver observer = TransportObserver.NONE;
    /** Tracks the clones of every Connection as they join its group: one for all of them. */
    private final Consumer<GroupMember> cloneTracker = member -> {
        if (track((TapsConnection) member)) {
            ConnectionObservation.joined(observer, (TapsConnection) member);
        }
    };

    /** Sets the observer of establishments, messages and errors, once before anything is created. */
    void observeWith(TransportObserver newObserver) {
        this.observer = newObserver;
    }

    @Override
    public TransportObserver connectionObserver() {
        return observer;
    }

    @Override
    public Consumer<GroupMember> cloneTracker() {
        return cloneTracker;
    }

    /** Forgets the Connection once closed() has its outcome. */
    @Override
    public void connectionClosed(TapsConnection connection) {
        registry.remove(connection);
    }

    /** Tracks and observes {@code connection}; false when it was tracked already. */
    boolean track(TapsConnection connection) {
        // Clones join through the group, so they are tracked like the Connection they came from.
        connection.ownedBy(this);
        if (!registry.add(connection)) {
            return false; // a stream a QUIC peer opened joined its group before its Listener delivered it
        }
        connection.tellOwnerWhenClosed();
        ConnectionObservation.connection(observer, connection);
        return true;
    }

    /** The tracked Connections now, in the order they were tracked. */
    List<TapsConnection> snapshot() {
        return registry.snapshot();
    }
}

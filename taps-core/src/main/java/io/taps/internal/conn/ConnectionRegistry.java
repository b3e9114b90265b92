package io.taps.internal.conn;

import java.util.ArrayList;
import java.util.List;

/**
 * The Connections an engine tracks until their end, linked through the Connections themselves: a
 * concurrent set's node (and its share of the table) was ~40 B of every Connection (issue 21
 * item 4, figure 12) and an allocation per connect. Adding and removing take this object's
 * monitor, briefly, once per Connection; readers (listings, path changes, shutdown) take a
 * snapshot in the order the Connections were added.
 */
public final class ConnectionRegistry {
    private TapsConnection head;
    private TapsConnection tail;
    private int size;

    /** Tracks {@code connection}; false when it is tracked already. */
    public synchronized boolean add(TapsConnection connection) {
        if (tracked(connection)) {
            return false;
        }
        connection.trackedPrevious = tail;
        connection.trackedNext = null;
        if (tail == null) {
            head = connection;
        } else {
            tail.trackedNext = connection;
        }
        tail = connection;
        size++;
        return true;
    }

    /** Forgets {@code connection}; nothing when it is not tracked. */
    public synchronized void remove(TapsConnection connection) {
        if (!tracked(connection)) {
            return;
        }
        TapsConnection previous = connection.trackedPrevious;
        TapsConnection next = connection.trackedNext;
        if (previous == null) {
            head = next;
        } else {
            previous.trackedNext = next;
        }
        if (next == null) {
            tail = previous;
        } else {
            next.trackedPrevious = previous;
        }
        connection.trackedPrevious = null;
        connection.trackedNext = null;
        size--;
    }

    private boolean tracked(TapsConnection connection) {
        return connection.trackedPrevious != null || head == connection;
    }

    /** The tracked Connections now, oldest first. */
    public synchronized List<TapsConnection> snapshot() {
        List<TapsConnection> all = new ArrayList<>(size);
        for (TapsConnection connection = head; connection != null; connection = connection.trackedNext) {
            all.add(connection);
        }
        return all;
    }
}

package io.taps.internal.conn;

import io.taps.properties.ConnectionProperties;
import io.taps.properties.ConnectionState;
import io.taps.properties.Property;
import io.taps.properties.PropertyKind;

/**
 * SetProperty and GetProperties (RFC 9622 §8.1) on one Connection: checks and converts a value,
 * entangles it through the Connection Group (§7.4: every property but {@code connPriority}), applies
 * it to the link on the event loop with what a change of it sets off (the send queue, the idle
 * timer), and builds the snapshot GetProperties returns. The values themselves live in
 * {@link PropertyStore}. Static: an object per Connection holding only the Connection was 16 B of
 * every idle Connection (issue 21 item 4).
 */
final class PropertyActions {
    private PropertyActions() {
    }

    /** SetProperty: a Message Property becomes the new default at once; a Connection Property is entangled. */
    static void set(TapsConnection connection, Property<?> property, Object rawValue) {
        // A Message Property's new default is a write: it goes to the Connection's own store.
        PropertyStore store = property.kind() == PropertyKind.MESSAGE ? PropertyStore.ownOf(connection) : connection.store;
        Object value = store.admit(property, rawValue, connection.link(), connection.stack());
        if (value == null) {
            return;
        }
        if (property != Property.CONN_PRIORITY) {
            // Entangled (RFC 9622 §7.4): the group stores it on every member, this one included.
            connection.connectionGroup().entangle(connection, property, value);
        } else {
            store(connection, property, value);
        }
    }

    /** Stores a Connection Property value and applies it to the link, on the event loop. */
    static void store(TapsConnection connection, Property<?> property, Object value) {
        PropertyStore.ownOf(connection).put(property, value);
        connection.runOnLoop(() -> {
            Link current = connection.link();
            if (current != null && property.namespace().map(current::appliesTo).orElse(true)) {
                PropertyStore.ownOf(connection).put(property, current.applyProperty(property, value));
            }
            if (property == Property.SEND_QUEUE_LIMIT) {
                connection.writeQueued();
            }
            if (property == Property.IDLE_TIMEOUT && current != null) {
                IdleTimer.restart(connection);
            }
        });
    }

    /** GetProperties: the values in effect plus the read-only ones of the moment. */
    static ConnectionProperties snapshot(TapsConnection connection) {
        return connection.store.snapshot(connection.state(), canSend(connection), canReceive(connection), connection.link(),
                connection.stack());
    }

    private static boolean canSend(TapsConnection connection) {
        return connection.canSend(connection.store.direction()) && !connection.closeRequested()
                && connection.state() != ConnectionState.CLOSED;
    }

    private static boolean canReceive(TapsConnection connection) {
        return connection.canReceive(connection.store.direction())
                && connection.state() != ConnectionState.CLOSED;
    }
}

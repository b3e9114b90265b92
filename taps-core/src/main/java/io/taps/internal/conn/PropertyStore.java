package io.taps.internal.conn;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.selection.ConnectionPropertiesSnapshots;
import io.taps.properties.ConnectionProperties;
import io.taps.properties.ConnectionState;
import io.taps.properties.Direction;
import io.taps.properties.Limit;
import io.taps.properties.MessageProperties;
import io.taps.properties.Property;
import io.taps.properties.PropertyKind;
import io.taps.properties.Role;
import io.taps.properties.Timeout;
import io.taps.properties.TransportProperties;
import io.taps.spi.StackCapabilities;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A Connection's property values (RFC 9622 §8.1): the Connection Properties as the link applied
 * them, the Message Property defaults (§9.1.3), and the read-only values computed for
 * GetProperties. Values are written under the group's lock or on the event loop and read from any
 * thread.
 *
 * <p>Copy on write: a Connection starts with the values its Transport Properties share with every
 * other Connection made from them ({@link TransportProperties#connectionValues()}), and gets a map
 * of its own only when a value really changes (SetProperty, a clone's override, a link that applied
 * something else). A per-Connection map of ~23 entries was about 1 KB of every idle Connection's
 * heap (issue 21 item 4); SetProperty is rare, so copying the small map then costs nothing that matters.
 *
 * <p>The store itself is copied on write too: Connections made one after another from the same
 * Transport Properties and role (a Listener's accepted Connections) share one {@linkplain #shared
 * shared} store, which nothing changes, and a Connection gets a store of its own
 * ({@link #ownOf}) only when one of its values or Message defaults is first set.
 * A store per Connection holding only what its siblings hold was 32 B of every accepted
 * Connection (issue 21 figure 12). Only the methods named as writes change a store, and only an
 * own store.
 */
final class PropertyStore {
    /**
     * The stores made for sharing, one slot per hash of the properties' identity and the role: the
     * next Connection made from the same properties and role takes its slot's store. A fixed table,
     * not a map, so at most {@value #SHARED_SLOTS} stores are kept for properties no longer used;
     * two Listeners whose slots collide at worst make a store each. A single slot (session 18's
     * first cut) lost the sharing whenever Connections of two Listeners (or two tests) interleaved:
     * AcceptedConnectionFootprintTest then counted the store as the Connection's own. Immutable
     * stores only, so a plain volatile read of a slot suffices.
     */
    private static final int SHARED_SLOTS = 64;
    private static final AtomicReferenceArray<PropertyStore> SHARED = new AtomicReferenceArray<>(SHARED_SLOTS);

    /** Immutable; replaced whole under this object's lock, read without it. */
    private volatile Map<Property<?>, Object> values;
    private final TransportProperties properties;
    private final Role role;
    /** The direction property (RFC 9622 §6.2.16), read once: every send and receive checks it. */
    private final Direction direction;
    private volatile MessageProperties messageDefaults;
    /** What {@link #applyAll} applies, for {@link #values} as they were when it was worked out; made on first use. */
    private volatile ApplyPlan applyPlan;
    /** Shared by several Connections, so never written: a write goes to a copy ({@link #ownOf}). */
    final boolean shared;

    private PropertyStore(TransportProperties properties, Role role, Direction direction,
            Map<Property<?>, Object> values, MessageProperties messageDefaults, boolean shared) {
        this.properties = properties;
        this.role = role;
        this.direction = direction;
        this.values = values;
        this.messageDefaults = messageDefaults;
        this.shared = shared;
    }

    /** The shared store of a new Connection made from {@code properties} in {@code role}. */
    static PropertyStore sharedFor(TransportProperties properties, Role role) {
        int slot = slot(properties, role);
        PropertyStore last = SHARED.get(slot);
        if (last != null && last.properties == properties && last.role == role) {
            return last;
        }
        PropertyStore made = new PropertyStore(properties, role, properties.get(Property.DIRECTION),
                properties.connectionValues(), properties.messageDefaults(), true);
        if (SHARED.compareAndSet(slot, last, made)) {
            return made;
        }
        // Another event loop made the first Connection of these properties at the same time (a
        // Listener accepting on several loops): both take the store that won, not one each.
        PropertyStore won = SHARED.get(slot);
        return won != null && won.properties == properties && won.role == role ? won : made;
    }

    /** The slot of {@link #SHARED} that {@code properties} in {@code role} use. */
    static int slot(TransportProperties properties, Role role) {
        return (System.identityHashCode(properties) * 31 + role.ordinal()) & (SHARED_SLOTS - 1);
    }

    /**
     * {@code connection}'s own store, made now from its shared one (whose maps it keeps sharing until
     * a value changes) if it has none yet. Under the Connection's lock, so that concurrent writers
     * (the group's entangling thread, the event loop) get the same copy and no write is lost.
     */
    static PropertyStore ownOf(TapsConnection connection) {
        PropertyStore current = connection.store;
        if (!current.shared) {
            return current;
        }
        synchronized (connection) {
            current = connection.store;
            if (current.shared) {
                current = new PropertyStore(current.properties, current.role, current.direction, current.values,
                        current.messageDefaults, false);
                connection.store = current;
            }
            return current;
        }
    }

    private void checkOwn() {
        if (shared) {
            throw new IllegalStateException("a shared property store is never written; write to the Connection's own");
        }
    }

    TransportProperties transportProperties() {
        return properties;
    }

    Role role() {
        return role;
    }

    Direction direction() {
        return direction;
    }

    MessageProperties messageDefaults() {
        return messageDefaults;
    }

    /** The Connection Property values as they are now, unmodifiable (a later change replaces the map, not this one). */
    Map<Property<?>, Object> values() {
        return values;
    }

    Object get(Property<?> property) {
        return values.get(property);
    }

    /**
     * Makes this store a Clone's (RFC 9622 §7.4): every value of {@code original} as it is now,
     * connPriority included, then the {@code overridden} Connection and Message Properties.
     * Returns the overrides of entangled properties, which the group then applies to every member.
     */
    Map<Property<?>, Object> cloneOf(PropertyStore original, Map<Property<?>, Object> overridden) {
        checkOwn();
        synchronized (this) {
            values = original.values;
        }
        MessageProperties defaults = original.messageDefaults;
        Map<Property<?>, Object> entangled = new LinkedHashMap<>();
        for (Map.Entry<Property<?>, Object> entry : overridden.entrySet()) {
            Property<?> property = entry.getKey();
            if (property.kind() == PropertyKind.MESSAGE) {
                defaults = defaults.toBuilder().set(property.name(), entry.getValue()).build();
            } else if (property.kind() == PropertyKind.CONNECTION) {
                Object value = property.convert(entry.getValue());
                put(property, value);
                if (property != Property.CONN_PRIORITY) {
                    entangled.put(property, value);
                }
            }
        }
        messageDefaults = defaults;
        return entangled;
    }

    /** Stores a value as it is in effect; before a link exists, the asked value is what will be applied. */
    void put(Property<?> property, Object value) {
        checkOwn();
        synchronized (this) {
            Map<Property<?>, Object> current = values;
            if (value.equals(current.get(property))) {
                return; // unchanged: the shared map stays shared
            }
            Map<Property<?>, Object> changed = new LinkedHashMap<>(current);
            changed.put(property, value);
            values = Collections.unmodifiableMap(changed);
        }
    }

    /**
     * Checks a SetProperty call (RFC 9622 §8.1) and converts its value; returns null for a Message
     * Property, which is stored here as a new default at once.
     */
    Object admit(Property<?> property, Object rawValue, Link link, StackCapabilities stack) {
        switch (property.kind()) {
            case SELECTION:
                throw new TransportServicesException(ErrorReason.INVALID_PROPERTY, "selection property '"
                        + property.name() + "' is fixed once the connection is initiated (RFC 9622 §6.2, C-03)");
            case CONNECTION_READ_ONLY:
                throw new TransportServicesException(ErrorReason.INVALID_PROPERTY,
                        "connection property '" + property.name() + "' is read-only (RFC 9622 §8.1.11)");
            case MESSAGE:
                checkOwn();
                messageDefaults = messageDefaults.toBuilder().set(property.name(), property.convert(rawValue)).build();
                return null;
            default:
                break;
        }
        Object value = property.convert(rawValue);
        Optional<String> namespace = property.namespace();
        if (namespace.isPresent() && link != null && !link.appliesTo(namespace.get())) {
            throw new TransportServicesException(ErrorReason.PROPERTY_NOT_APPLICABLE, "'" + property.name()
                    + "' applies to " + namespace.get() + ", but this connection uses "
                    + (stack == null ? "another protocol" : stack.name()) + " (CP-X1)");
        }
        return value;
    }

    /**
     * Applies every value that differs from a new socket's default to {@code connection}'s just
     * adopted link; a value the link applied differently is stored in the Connection's own store.
     * The values to apply come from {@link #toApply}, worked out once per map of values, so a
     * Listener's accepted Connections, which share one store, neither walk ~23 entries nor allocate
     * an entry view, an iterator and two Optionals each (~110 B of every accept, issue 21 figure 12).
     */
    static void applyAll(TapsConnection connection, Link link) {
        Object[] plan = connection.store.toApply();
        for (int i = 0; i < plan.length; i += 3) {
            Property<?> property = (Property<?>) plan[i];
            String namespace = (String) plan[i + 2];
            if (namespace == null || link.appliesTo(namespace)) {
                Object applied = link.applyProperty(property, plan[i + 1]);
                if (!applied.equals(connection.store.get(property))) {
                    ownOf(connection).put(property, applied);
                }
            }
        }
    }

    /**
     * The values that differ from a new socket's default (setting a default again, TOS 0 or no
     * user timeout, would cost a system call per property and Connection), as triples of
     * property, value and namespace (null for a generic property); for the current map of values.
     */
    Object[] toApply() {
        ApplyPlan plan = applyPlan;
        Map<Property<?>, Object> current = values;
        if (plan == null || plan.of != current) {
            plan = new ApplyPlan(current);
            applyPlan = plan;
        }
        return plan.triples;
    }

    /** {@link #toApply} of one map of values; immutable, so Connections on any event loop may share it. */
    private static final class ApplyPlan {
        final Map<Property<?>, Object> of;
        final Object[] triples;

        ApplyPlan(Map<Property<?>, Object> values) {
            this.of = values;
            List<Object> triples = new ArrayList<>();
            values.forEach((property, value) -> {
                if (!value.equals(property.defaultValue())) {
                    triples.add(property);
                    triples.add(value);
                    triples.add(property.namespace().orElse(null));
                }
            });
            this.triples = triples.toArray();
        }
    }

    /**
     * GetProperties (RFC 9622 §8.1): the stored values (as the link applied them) plus the
     * read-only ones of the moment: sendMsgMaxLen and recvMsgMaxLen from the link (a datagram's
     * largest payload, a framer's largest Message), singularTransmissionMsgMaxLen from the path MTU
     * on datagram links (Unlimited stands for "not applicable" on byte streams).
     */
    ConnectionProperties snapshot(ConnectionState state, boolean canSend, boolean canReceive, Link link,
            StackCapabilities stack) {
        Map<Property<?>, Object> snapshot = new LinkedHashMap<>(values);
        snapshot.put(Property.CONN_STATE, state);
        snapshot.put(Property.CAN_SEND, canSend);
        snapshot.put(Property.CAN_RECEIVE, canReceive);
        int max = link == null ? -1 : link.maxMessageSize();
        Limit sendMax = max < 0 ? Limit.UNLIMITED : Limit.of(canSend ? max : 0);
        snapshot.put(Property.SEND_MSG_MAX_LEN, canSend ? sendMax : Limit.of(0));
        snapshot.put(Property.RECV_MSG_MAX_LEN, canReceive ? (max < 0 ? Limit.UNLIMITED : Limit.of(max)) : Limit.of(0));
        int singular = link == null ? -1 : link.singularTransmissionMaxLen();
        snapshot.put(Property.SINGULAR_TRANSMISSION_MSG_MAX_LEN, singular < 0 ? Limit.UNLIMITED
                : Limit.of(canSend ? singular : 0));
        if (link != null && link.appliesTo("tcp") && !((Timeout) values.get(Property.CONN_TIMEOUT)).isNone()) {
            // RFC 9622 §8.2.3: the peer's UTO may no longer change connTimeout once it is used.
            snapshot.put(Property.TCP_USER_TIMEOUT_CHANGEABLE, false);
        }
        if (link != null) {
            snapshot.putAll(link.selectionInEffect());
        }
        if (stack == null) {
            // Selection Properties read as Booleans only once a stack provides them (C-22).
            return ConnectionProperties.of(snapshot);
        }
        if (link != null) {
            snapshot.putAll(link.appliedSelection());
        }
        return ConnectionPropertiesSnapshots.forEstablished(properties, role, stack, snapshot);
    }
}

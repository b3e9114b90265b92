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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

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
 */
final class PropertyStore {
    /** Immutable; replaced whole under this object's lock, read without it. */
    private volatile Map<Property<?>, Object> values;
    private final TransportProperties properties;
    private final Role role;
    /** The direction property (RFC 9622 §6.2.16), read once: every send and receive checks it. */
    private final Direction direction;
    private volatile MessageProperties messageDefaults;

    PropertyStore(TransportProperties properties, Role role) {
        this.properties = properties;
        this.role = role;
        this.direction = properties.get(Property.DIRECTION);
        this.messageDefaults = properties.messageDefaults();
        this.values = properties.connectionValues();
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

    void messageDefaults(MessageProperties defaults) {
        this.messageDefaults = defaults;
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

    /** Applies every value that differs from a new socket's default to a just adopted link. */
    void applyAll(Link link) {
        for (Map.Entry<Property<?>, Object> entry : values.entrySet()) {
            Property<?> property = entry.getKey();
            // A new socket already has the defaults (TOS 0, no user timeout); setting them again
            // would cost a system call per property and connection.
            if (!entry.getValue().equals(property.defaultValue())
                    && property.namespace().map(link::appliesTo).orElse(true)) {
                put(property, link.applyProperty(property, entry.getValue()));
            }
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

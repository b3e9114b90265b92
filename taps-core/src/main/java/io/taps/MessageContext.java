package io.taps;

import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.MessageProperties;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The context a {@link Message} is sent or received with (RFC 9622 §9.1.1, checklist O-07, A-22):
 * its Message Properties on the send side, and on the receive side the endpoints it came from and
 * went to and whether it is the peer's last message (RM-03) or arrived as 0-RTT early data (RM-02).
 *
 * <p>A MessageContext is immutable, so changing it after a send cannot affect that send.
 * Its identity matters: every event about a send carries the very context object given to
 * {@code send} (E-23), and partial sends with the same context form one Message. Use
 * {@link #create()} or {@link #of(MessageProperties)} for each new Message.
 *
 * <p>Framer values (RFC 9623 §6, framing meta-data such as a TLV message type): a framer reads
 * values the application put on a sent Message's context, and puts values on the contexts of the
 * Messages it delivers; {@link #withFramerValue} returns a new context, this one never changes.
 */
public final class MessageContext {
    private final MessageProperties properties;
    /**
     * The endpoints of a received Message: a {@link RemoteEndpoint} / {@link LocalEndpoint}, or,
     * for one taps received on a link, the link's {@link InetSocketAddress}, which its channel
     * holds anyway and which is turned into an endpoint only when read. Every Connection keeps
     * the context of its received Messages, and two endpoints built up front (with their port
     * Integers) are ~120 B of each, and strings built at every connection's end (issue 21 item 4).
     */
    private final Object remoteEndpoint;
    private final Object localEndpoint;
    private final boolean finalMessage;
    private final boolean earlyData;
    private final Map<String, Object> framerValues;

    private MessageContext(MessageProperties properties, Object remoteEndpoint, Object localEndpoint,
            boolean finalMessage, boolean earlyData) {
        this(properties, remoteEndpoint, localEndpoint, finalMessage, earlyData, Map.of());
    }

    private MessageContext(MessageProperties properties, Object remoteEndpoint, Object localEndpoint,
            boolean finalMessage, boolean earlyData, Map<String, Object> framerValues) {
        this.properties = Objects.requireNonNull(properties, "properties");
        this.remoteEndpoint = remoteEndpoint;
        this.localEndpoint = localEndpoint;
        this.finalMessage = finalMessage;
        this.earlyData = earlyData;
        this.framerValues = framerValues;
    }

    /** A new context with no Message Properties set: the connection's defaults apply (MP-X3). */
    public static MessageContext create() {
        return new MessageContext(MessageProperties.empty(), null, null, false, false);
    }

    /** A new context carrying {@code properties} for the Message sent with it. */
    public static MessageContext of(MessageProperties properties) {
        return new MessageContext(properties, null, null, false, false);
    }

    /** A context for received data; taps builds these, applications read them. */
    public static MessageContext received(RemoteEndpoint from, LocalEndpoint to, boolean finalMessage) {
        return new MessageContext(MessageProperties.empty(), from, to, finalMessage, false);
    }

    /**
     * A context for data received on a link from {@code from} at {@code to} (either may be null);
     * for taps' receive path only: the endpoints are made from the addresses when read.
     */
    static MessageContext receivedOn(InetSocketAddress from, InetSocketAddress to, boolean finalMessage) {
        return new MessageContext(MessageProperties.empty(), from, to, finalMessage, false);
    }

    /** This received context marked as early data (0-RTT); for taps' receive path only. */
    MessageContext asEarlyData() {
        return earlyData ? this
                : new MessageContext(properties, remoteEndpoint, localEndpoint, finalMessage, true, framerValues);
    }

    /** A new context with the same endpoints and {@code newProperties}. */
    public MessageContext withProperties(MessageProperties newProperties) {
        return new MessageContext(newProperties, remoteEndpoint, localEndpoint, finalMessage, earlyData, framerValues);
    }

    /**
     * A new context with the framer value {@code key} set to {@code value} (RFC 9623 §6; e.g.
     * {@code TlvFramer.TYPE}); keys are namespaced by the framer that defines them.
     */
    public MessageContext withFramerValue(String key, Object value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Map<String, Object> values;
        if (framerValues.isEmpty()) {
            values = Map.of(key, value);
        } else {
            HashMap<String, Object> copy = new HashMap<>(framerValues);
            copy.put(key, value);
            values = Collections.unmodifiableMap(copy);
        }
        return new MessageContext(properties, remoteEndpoint, localEndpoint, finalMessage, earlyData, values);
    }

    /** The framer value {@code key}, if a framer or the application set one (RFC 9623 §6). */
    public Optional<Object> framerValue(String key) {
        return Optional.ofNullable(framerValues.get(key));
    }

    /** The framer value {@code key} as a {@code type}; empty when unset or of another type. */
    public <T> Optional<T> framerValue(String key, Class<T> type) {
        Object value = framerValues.get(key);
        return type.isInstance(value) ? Optional.of(type.cast(value)) : Optional.empty();
    }

    /** Every framer value of this context, unmodifiable. */
    public Map<String, Object> framerValues() {
        return framerValues;
    }

    /** The Message Properties given for this Message (only the explicitly set ones). */
    public MessageProperties properties() {
        return properties;
    }

    /** The endpoint a received Message came from (RFC 9622 §9.1.1 GetRemoteEndpoint). */
    public Optional<RemoteEndpoint> remoteEndpoint() {
        return Optional.ofNullable(remote());
    }

    private RemoteEndpoint remote() {
        return remoteEndpoint instanceof InetSocketAddress ? RemoteEndpoint.of((InetSocketAddress) remoteEndpoint)
                : (RemoteEndpoint) remoteEndpoint;
    }

    /** The local endpoint a received Message arrived on (RFC 9622 §9.1.1 GetLocalEndpoint). */
    public Optional<LocalEndpoint> localEndpoint() {
        if (localEndpoint instanceof InetSocketAddress) {
            InetSocketAddress local = (InetSocketAddress) localEndpoint;
            return Optional.of(LocalEndpoint.ofAddress(local.getAddress(), local.getPort()));
        }
        return Optional.ofNullable((LocalEndpoint) localEndpoint);
    }

    /** Whether this received Message is the peer's last one (RFC 9622 §9.3.3.3, RM-03). */
    public boolean isFinal() {
        return finalMessage;
    }

    /**
     * Whether this received Message arrived as 0-RTT early data (RFC 9622 §9.3.3.2, RM-02), which an
     * attacker can replay.
     *
     * <p>Limitation: taps cannot tell yet, so this is false even for bytes that came as 0-RTT data.
     * Only QUIC accepts early data here (TLS/TCP has none), and Netty's QUIC server hands a stream
     * over only after the handshake completed, with no per-stream signal of which bytes were early.
     * On a QUIC Listener, treat a Connection's first Message as possibly replayed unless the
     * application protocol makes it safe to process twice.
     */
    public boolean isEarlyData() {
        return earlyData;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("MessageContext[").append(properties);
        if (remoteEndpoint != null) {
            text.append(", from ").append(remote());
        }
        if (finalMessage) {
            text.append(", final");
        }
        if (!framerValues.isEmpty()) {
            text.append(", ").append(framerValues);
        }
        return text.append(']').toString();
    }
}

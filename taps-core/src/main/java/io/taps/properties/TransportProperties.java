package io.taps.properties;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The Transport Properties of a Preconnection (RFC 9622 §6.2, O-03): Selection Properties,
 * Connection Properties and default Message Properties. Immutable; only explicitly set values are
 * held, and reading an unset property yields its RFC default (for {@code useTemporaryLocalAddress}
 * and {@code multipath} the default of the {@link Role}). Read-only Connection Properties
 * (RFC 9622 §8.1.11) cannot be set.
 *
 * <p>The profiles {@link #reliableInorderStream()}, {@link #reliableMessage()} and
 * {@link #unreliableDatagram()} are those of RFC 9622 Appendix B.2 (checklist §1.11). Setting by
 * name follows C-20 (case-insensitive, legacy aliases), and {@code require(..)}..{@code prohibit(..)}
 * are the convenience functions of RFC 9622 Appendix B.1 (CONV-01).
 *
 * <p>Longer than 500 lines because: it has one typed builder method per RFC 9622 Selection and
 * Connection Property (the specification's list, not logic), which users look up in one place.
 */
public final class TransportProperties {
    private static final TransportProperties DEFAULTS = new TransportProperties(Map.of());

    private final Map<Property<?>, Object> values;
    /**
     * {@link #connectionValues()} and {@link #messageDefaults()}, made once: every Connection
     * created from this set starts with them, so they are shared instead of copied per Connection.
     * Immutable, so two first callers at once only build them twice.
     */
    private Map<Property<?>, Object> connectionValues;
    private MessageProperties messageDefaults;

    private TransportProperties(Map<Property<?>, Object> values) {
        this.values = values;
    }

    /** No explicit values: every property has its RFC 9622 default (SEL-06: a TCP-implementable configuration). */
    public static TransportProperties defaults() {
        return DEFAULTS;
    }

    /** A builder with no values. */
    public static Builder builder() {
        return new Builder(Map.of());
    }

    /** A builder holding this object's values; changes to it never affect this object. */
    public Builder toBuilder() {
        return new Builder(values);
    }

    /**
     * RFC 9622 Appendix B.2.1 {@code reliable-inorder-stream}: reliability, preserveOrder and
     * congestionControl Require, preserveMsgBoundaries No Preference.
     */
    public static TransportProperties reliableInorderStream() {
        return builder().reliability(Preference.REQUIRE).preserveOrder(Preference.REQUIRE)
                .congestionControl(Preference.REQUIRE).preserveMsgBoundaries(Preference.NO_PREFERENCE).build();
    }

    /** RFC 9622 Appendix B.2.2 {@code reliable-message}: the stream profile with preserveMsgBoundaries Require. */
    public static TransportProperties reliableMessage() {
        return builder().reliability(Preference.REQUIRE).preserveOrder(Preference.REQUIRE)
                .congestionControl(Preference.REQUIRE).preserveMsgBoundaries(Preference.REQUIRE).build();
    }

    /**
     * RFC 9622 Appendix B.2.3 {@code unreliable-datagram}: reliability and preserveOrder Avoid,
     * congestionControl No Preference, preserveMsgBoundaries Require, and {@code safelyReplayable=true}
     * as the default Message Property.
     */
    public static TransportProperties unreliableDatagram() {
        return builder().reliability(Preference.AVOID).preserveOrder(Preference.AVOID)
                .congestionControl(Preference.NO_PREFERENCE).preserveMsgBoundaries(Preference.REQUIRE)
                .safelyReplayable(true).build();
    }

    /** The explicit value, else the RFC default for an initiated Connection. */
    public <T> T get(Property<T> property) {
        return get(property, Role.INITIATE);
    }

    /** The explicit value, else the default for a Connection created by {@code role}. */
    public <T> T get(Property<T> property, Role role) {
        Object v = values.get(property);
        return v != null ? property.type().cast(v) : property.defaultFor(role);
    }

    /** The value by RFC name or alias (C-20); unknown names are INVALID_PROPERTY. */
    public Object get(String name) {
        return get(Property.byName(name));
    }

    /** True when {@code property} was set explicitly. */
    public boolean isSet(Property<?> property) {
        return values.containsKey(property);
    }

    /** The explicitly set values in table order, unmodifiable. */
    public Map<Property<?>, Object> explicitValues() {
        return values;
    }

    /** The explicitly set Message Properties: the defaults for every Message sent (MP-X3). */
    public MessageProperties messageDefaults() {
        MessageProperties made = messageDefaults;
        if (made == null) {
            Map<Property<?>, Object> messages = new HashMap<>();
            values.forEach((p, v) -> {
                if (p.kind() == PropertyKind.MESSAGE) {
                    messages.put(p, v);
                }
            });
            made = MessageProperties.ofValidated(messages);
            messageDefaults = made;
        }
        return made;
    }

    /**
     * The value of every Connection Property (RFC 9622 §8.1) a Connection made from these
     * properties starts with: the explicit value, else the default for an initiated Connection;
     * in table order, unmodifiable, computed once and shared by every such Connection.
     */
    public Map<Property<?>, Object> connectionValues() {
        Map<Property<?>, Object> made = connectionValues;
        if (made == null) {
            Map<Property<?>, Object> ordered = new LinkedHashMap<>();
            for (Property<?> property : Property.ofKind(PropertyKind.CONNECTION)) {
                ordered.put(property, get(property));
            }
            made = Collections.unmodifiableMap(ordered);
            connectionValues = made;
        }
        return made;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransportProperties && values.equals(((TransportProperties) o).values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "TransportProperties" + values;
    }

    /**
     * Builds {@link TransportProperties}. {@code set} overrides any earlier value (O-03). Values are
     * validated with {@link Property#convert} as they are set, so an error names the offending call.
     */
    public static final class Builder {
        private final Map<Property<?>, Object> values;

        private Builder(Map<Property<?>, Object> initial) {
            this.values = new HashMap<>(initial);
        }

        /** Sets a property by RFC name or alias (C-20), converting {@code value} with {@link Property#convert}. */
        public Builder set(String name, Object value) {
            Property<?> p = Property.byName(name);
            requireWritable(p);
            values.put(p, p.convert(value));
            return this;
        }

        /** Sets {@code property} to {@code value}, which is range-checked. */
        public <T> Builder set(Property<T> property, T value) {
            requireWritable(property);
            values.put(property, property.convert(Objects.requireNonNull(value, "value")));
            return this;
        }

        /** Forgets the value of {@code property} so that its default applies again. */
        public Builder unset(Property<?> property) {
            values.remove(property);
            return this;
        }

        private static void requireWritable(Property<?> p) {
            if (p.kind() == PropertyKind.CONNECTION_READ_ONLY) {
                throw new TransportServicesException(ErrorReason.INVALID_PROPERTY, "property " + p.name()
                        + " is read-only (RFC 9622 §8.1.11) and cannot be set");
            }
        }

        private Builder level(Property<Preference> property, Preference level) {
            return set(property, level);
        }

        private Builder level(String name, Preference level) {
            Property<?> p = Property.byName(name);
            if (!p.isPreference()) {
                throw new TransportServicesException(ErrorReason.INVALID_PROPERTY, "property " + p.name()
                        + " is a " + p.type().getSimpleName() + ", not a Preference, so it cannot be set to "
                        + level);
            }
            return set(name, level);
        }

        /** CONV-01 {@code Require(property)}. */
        public Builder require(Property<Preference> property) {
            return level(property, Preference.REQUIRE);
        }

        /** CONV-01 {@code Prefer(property)}. */
        public Builder prefer(Property<Preference> property) {
            return level(property, Preference.PREFER);
        }

        /** CONV-01 {@code NoPreference(property)}. */
        public Builder noPreference(Property<Preference> property) {
            return level(property, Preference.NO_PREFERENCE);
        }

        /** CONV-01 {@code Avoid(property)}. */
        public Builder avoid(Property<Preference> property) {
            return level(property, Preference.AVOID);
        }

        /** CONV-01 {@code Prohibit(property)}. */
        public Builder prohibit(Property<Preference> property) {
            return level(property, Preference.PROHIBIT);
        }

        /** CONV-01 {@code Require(property)} by name. */
        public Builder require(String name) {
            return level(name, Preference.REQUIRE);
        }

        /** CONV-01 {@code Prefer(property)} by name. */
        public Builder prefer(String name) {
            return level(name, Preference.PREFER);
        }

        /** CONV-01 {@code NoPreference(property)} by name. */
        public Builder noPreference(String name) {
            return level(name, Preference.NO_PREFERENCE);
        }

        /** CONV-01 {@code Avoid(property)} by name. */
        public Builder avoid(String name) {
            return level(name, Preference.AVOID);
        }

        /** CONV-01 {@code Prohibit(property)} by name. */
        public Builder prohibit(String name) {
            return level(name, Preference.PROHIBIT);
        }

        // ---------------------------------------------------------------- Selection (§6.2)

        /** SP-01 {@code reliability}. */
        public Builder reliability(Preference level) {
            return set(Property.RELIABILITY, level);
        }

        /** SP-02 {@code preserveMsgBoundaries}. */
        public Builder preserveMsgBoundaries(Preference level) {
            return set(Property.PRESERVE_MSG_BOUNDARIES, level);
        }

        /** SP-03 {@code perMsgReliability}. */
        public Builder perMsgReliability(Preference level) {
            return set(Property.PER_MSG_RELIABILITY, level);
        }

        /** SP-04 {@code preserveOrder}. */
        public Builder preserveOrder(Preference level) {
            return set(Property.PRESERVE_ORDER, level);
        }

        /** SP-05 {@code zeroRttMsg}. */
        public Builder zeroRttMsg(Preference level) {
            return set(Property.ZERO_RTT_MSG, level);
        }

        /** SP-06 {@code multistreaming}. */
        public Builder multistreaming(Preference level) {
            return set(Property.MULTISTREAMING, level);
        }

        /** SP-07 {@code fullChecksumSend}. */
        public Builder fullChecksumSend(Preference level) {
            return set(Property.FULL_CHECKSUM_SEND, level);
        }

        /** SP-08 {@code fullChecksumRecv}. */
        public Builder fullChecksumRecv(Preference level) {
            return set(Property.FULL_CHECKSUM_RECV, level);
        }

        /** SP-09 {@code congestionControl}. */
        public Builder congestionControl(Preference level) {
            return set(Property.CONGESTION_CONTROL, level);
        }

        /** SP-10 {@code keepAlive}. */
        public Builder keepAlive(Preference level) {
            return set(Property.KEEP_ALIVE, level);
        }

        /** SP-11 {@code interface}, replacing every earlier interface preference. */
        public Builder interfaces(NamedPreferences preferences) {
            return set(Property.INTERFACE, preferences);
        }

        /** SP-11 {@code interface}: adds or replaces the level of one interface name or type. */
        public Builder interfacePreference(String name, Preference level) {
            return set(Property.INTERFACE, current(Property.INTERFACE).with(name, level));
        }

        /** SP-12 {@code pvd}, replacing every earlier PvD preference. */
        public Builder pvd(NamedPreferences preferences) {
            return set(Property.PVD, preferences);
        }

        /** SP-12 {@code pvd}: adds or replaces the level of one Provisioning Domain. */
        public Builder pvdPreference(String name, Preference level) {
            return set(Property.PVD, current(Property.PVD).with(name, level));
        }

        private NamedPreferences current(Property<NamedPreferences> p) {
            Object v = values.get(p);
            return v != null ? (NamedPreferences) v : p.defaultValue();
        }

        /** SP-13 {@code useTemporaryLocalAddress}. */
        public Builder useTemporaryLocalAddress(Preference level) {
            return set(Property.USE_TEMPORARY_LOCAL_ADDRESS, level);
        }

        /** SP-14 {@code multipath}. */
        public Builder multipath(MultipathMode mode) {
            return set(Property.MULTIPATH, mode);
        }

        /** SP-15 {@code advertisesAltaddr}. */
        public Builder advertisesAltaddr(boolean advertise) {
            return set(Property.ADVERTISES_ALTADDR, advertise);
        }

        /** SP-16 {@code direction}. */
        public Builder direction(Direction direction) {
            return set(Property.DIRECTION, direction);
        }

        /** SP-17 {@code softErrorNotify}. */
        public Builder softErrorNotify(Preference level) {
            return set(Property.SOFT_ERROR_NOTIFY, level);
        }

        /** SP-18 {@code activeReadBeforeSend}. */
        public Builder activeReadBeforeSend(Preference level) {
            return set(Property.ACTIVE_READ_BEFORE_SEND, level);
        }

        // ---------------------------------------------------------------- Connection (§8.1, §8.2)

        /** CP-01 {@code recvChecksumLen}. */
        public Builder recvChecksumLen(ChecksumCoverage coverage) {
            return set(Property.RECV_CHECKSUM_LEN, coverage);
        }

        /** CP-02 {@code connPriority} (≥ 0, lower is more important). */
        public Builder connPriority(int priority) {
            return set(Property.CONN_PRIORITY, priority);
        }

        /** CP-03 {@code connTimeout}. */
        public Builder connTimeout(Duration timeout) {
            return set(Property.CONN_TIMEOUT, Timeout.of(timeout));
        }

        /** CP-03 {@code connTimeout}; {@link Timeout#NONE} is Disabled. */
        public Builder connTimeout(Timeout timeout) {
            return set(Property.CONN_TIMEOUT, timeout);
        }

        /** CP-04 {@code keepAliveTimeout}. */
        public Builder keepAliveTimeout(Duration timeout) {
            return set(Property.KEEP_ALIVE_TIMEOUT, Timeout.of(timeout));
        }

        /** CP-04 {@code keepAliveTimeout}; {@link Timeout#NONE} is Disabled. */
        public Builder keepAliveTimeout(Timeout timeout) {
            return set(Property.KEEP_ALIVE_TIMEOUT, timeout);
        }

        /** CP-05 {@code connScheduler}. */
        public Builder connScheduler(ConnectionScheduler scheduler) {
            return set(Property.CONN_SCHEDULER, scheduler);
        }

        /** CP-06 {@code connCapacityProfile}. */
        public Builder connCapacityProfile(CapacityProfile profile) {
            return set(Property.CONN_CAPACITY_PROFILE, profile);
        }

        /** CP-07 {@code multipathPolicy}. */
        public Builder multipathPolicy(MultipathPolicy policy) {
            return set(Property.MULTIPATH_POLICY, policy);
        }

        /** CP-08 {@code minSendRate} in bit/s. */
        public Builder minSendRate(long bitsPerSecond) {
            return set(Property.MIN_SEND_RATE, Limit.of(bitsPerSecond));
        }

        /** CP-08 {@code minSendRate}. */
        public Builder minSendRate(Limit rate) {
            return set(Property.MIN_SEND_RATE, rate);
        }

        /** CP-08 {@code minRecvRate} in bit/s. */
        public Builder minRecvRate(long bitsPerSecond) {
            return set(Property.MIN_RECV_RATE, Limit.of(bitsPerSecond));
        }

        /** CP-08 {@code minRecvRate}. */
        public Builder minRecvRate(Limit rate) {
            return set(Property.MIN_RECV_RATE, rate);
        }

        /** CP-08 {@code maxSendRate} in bit/s. */
        public Builder maxSendRate(long bitsPerSecond) {
            return set(Property.MAX_SEND_RATE, Limit.of(bitsPerSecond));
        }

        /** CP-08 {@code maxSendRate}. */
        public Builder maxSendRate(Limit rate) {
            return set(Property.MAX_SEND_RATE, rate);
        }

        /** CP-08 {@code maxRecvRate} in bit/s. */
        public Builder maxRecvRate(long bitsPerSecond) {
            return set(Property.MAX_RECV_RATE, Limit.of(bitsPerSecond));
        }

        /** CP-08 {@code maxRecvRate}. */
        public Builder maxRecvRate(Limit rate) {
            return set(Property.MAX_RECV_RATE, rate);
        }

        /** CP-09 {@code groupConnLimit}. */
        public Builder groupConnLimit(long limit) {
            return set(Property.GROUP_CONN_LIMIT, Limit.of(limit));
        }

        /** CP-09 {@code groupConnLimit}. */
        public Builder groupConnLimit(Limit limit) {
            return set(Property.GROUP_CONN_LIMIT, limit);
        }

        /** CP-10 {@code isolateSession}. */
        public Builder isolateSession(boolean isolate) {
            return set(Property.ISOLATE_SESSION, isolate);
        }

        /** TCP-01 {@code tcp.userTimeoutValue}. */
        public Builder tcpUserTimeoutValue(Duration timeout) {
            return set(Property.TCP_USER_TIMEOUT_VALUE, Timeout.of(timeout));
        }

        /** TCP-01 {@code tcp.userTimeoutValue}; {@link Timeout#NONE} is the TCP default. */
        public Builder tcpUserTimeoutValue(Timeout timeout) {
            return set(Property.TCP_USER_TIMEOUT_VALUE, timeout);
        }

        /** TCP-02 {@code tcp.userTimeoutEnabled}. */
        public Builder tcpUserTimeoutEnabled(boolean enabled) {
            return set(Property.TCP_USER_TIMEOUT_ENABLED, enabled);
        }

        /** TCP-03 {@code tcp.userTimeoutChangeable}. */
        public Builder tcpUserTimeoutChangeable(boolean changeable) {
            return set(Property.TCP_USER_TIMEOUT_CHANGEABLE, changeable);
        }

        /** {@code _taps.sendQueueLimit} in bytes. */
        public Builder sendQueueLimit(long bytes) {
            return set(Property.SEND_QUEUE_LIMIT, Limit.of(bytes));
        }

        /** {@code _taps.sendQueueLimit}. */
        public Builder sendQueueLimit(Limit bytes) {
            return set(Property.SEND_QUEUE_LIMIT, bytes);
        }

        /** {@code _taps.closeTimeout}. */
        public Builder closeTimeout(Duration timeout) {
            return set(Property.CLOSE_TIMEOUT, Timeout.of(timeout));
        }

        /** {@code _taps.closeTimeout}; {@link Timeout#NONE} waits for the peer indefinitely. */
        public Builder closeTimeout(Timeout timeout) {
            return set(Property.CLOSE_TIMEOUT, timeout);
        }

        /** {@code _taps.maxConcurrentConnections}. */
        public Builder maxConcurrentConnections(long connections) {
            return set(Property.MAX_CONCURRENT_CONNECTIONS, Limit.of(connections));
        }

        /** {@code _taps.maxConcurrentConnections}. */
        public Builder maxConcurrentConnections(Limit connections) {
            return set(Property.MAX_CONCURRENT_CONNECTIONS, connections);
        }

        /** {@code _taps.idleTimeout}: a Connection without traffic for this long ends with a ConnectionError. */
        public Builder idleTimeout(Duration timeout) {
            return set(Property.IDLE_TIMEOUT, Timeout.of(timeout));
        }

        /** {@code _taps.idleTimeout}; {@link Timeout#NONE} keeps idle Connections open indefinitely. */
        public Builder idleTimeout(Timeout timeout) {
            return set(Property.IDLE_TIMEOUT, timeout);
        }

        /** {@code _taps.listenBacklog}: the accept backlog (SO_BACKLOG) of a Listener's stream sockets. */
        public Builder listenBacklog(int connections) {
            return set(Property.LISTEN_BACKLOG, Limit.of(connections));
        }

        /** {@code _taps.listenBacklog}; {@link Limit#UNLIMITED} is the system maximum. */
        public Builder listenBacklog(Limit connections) {
            return set(Property.LISTEN_BACKLOG, connections);
        }

        /**
         * {@code _taps.multipathTransport}: Require a multipath transport (MPTCP), or Prohibit one;
         * {@code multipath} itself has no Require (docs/multipath.md).
         */
        public Builder multipathTransport(Preference level) {
            return set(Property.MULTIPATH_TRANSPORT, level);
        }

        // ---------------------------------------------------------------- Message defaults (§9.1.3)

        /** MP-01 {@code msgLifetime}. */
        public Builder msgLifetime(Duration lifetime) {
            return set(Property.MSG_LIFETIME, Timeout.of(lifetime));
        }

        /** MP-01 {@code msgLifetime}; {@link Timeout#NONE} is infinite. */
        public Builder msgLifetime(Timeout lifetime) {
            return set(Property.MSG_LIFETIME, lifetime);
        }

        /** MP-02 {@code msgPriority}. */
        public Builder msgPriority(int priority) {
            return set(Property.MSG_PRIORITY, priority);
        }

        /** MP-03 {@code msgOrdered}. */
        public Builder msgOrdered(boolean ordered) {
            return set(Property.MSG_ORDERED, ordered);
        }

        /** MP-04 {@code safelyReplayable}. */
        public Builder safelyReplayable(boolean replayable) {
            return set(Property.SAFELY_REPLAYABLE, replayable);
        }

        /** MP-05 {@code final}. */
        public Builder finalMessage(boolean isFinal) {
            return set(Property.FINAL, isFinal);
        }

        /** MP-06 {@code msgChecksumLen}. */
        public Builder msgChecksumLen(ChecksumCoverage coverage) {
            return set(Property.MSG_CHECKSUM_LEN, coverage);
        }

        /** MP-07 {@code msgReliable}. */
        public Builder msgReliable(boolean reliable) {
            return set(Property.MSG_RELIABLE, reliable);
        }

        /** MP-08 {@code msgCapacityProfile}. */
        public Builder msgCapacityProfile(CapacityProfile profile) {
            return set(Property.MSG_CAPACITY_PROFILE, profile);
        }

        /** MP-09 {@code noFragmentation}. */
        public Builder noFragmentation(boolean noFragmentation) {
            return set(Property.NO_FRAGMENTATION, noFragmentation);
        }

        /** MP-10 {@code noSegmentation}. */
        public Builder noSegmentation(boolean noSegmentation) {
            return set(Property.NO_SEGMENTATION, noSegmentation);
        }

        /** An immutable snapshot; later changes to this builder do not affect it. */
        public TransportProperties build() {
            if (values.isEmpty()) {
                return DEFAULTS;
            }
            Map<Property<?>, Object> ordered = new LinkedHashMap<>();
            for (Property<?> p : Property.all()) {
                if (values.containsKey(p)) {
                    ordered.put(p, values.get(p));
                }
            }
            return new TransportProperties(Collections.unmodifiableMap(ordered));
        }
    }
}

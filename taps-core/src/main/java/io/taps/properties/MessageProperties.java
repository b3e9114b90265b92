package io.taps.properties;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Message Properties of one Message or the Message defaults of a Preconnection (RFC 9622
 * §9.1.3, MP-01..MP-10): an immutable set of explicitly given values of {@link PropertyKind#MESSAGE}
 * properties. Reading a property that was not given yields its default (MP-X3: Message, then
 * Connection defaults via {@link #withDefaults}, then the RFC default); {@link #resolve} also applies
 * the inheritance of {@code msgOrdered}, {@code msgReliable} and {@code msgCapacityProfile} from the
 * Connection.
 */
public final class MessageProperties {
    private static final MessageProperties EMPTY = new MessageProperties(Map.of());

    private final Map<Property<?>, Object> values;

    private MessageProperties(Map<Property<?>, Object> values) {
        this.values = values;
    }

    // Keeps the table order so that equal sets print identically.
    static MessageProperties ofValidated(Map<Property<?>, Object> values) {
        if (values.isEmpty()) {
            return EMPTY;
        }
        Map<Property<?>, Object> ordered = new LinkedHashMap<>();
        for (Property<?> p : Property.all()) {
            if (values.containsKey(p)) {
                ordered.put(p, values.get(p));
            }
        }
        return new MessageProperties(Collections.unmodifiableMap(ordered));
    }

    /** No explicit values. */
    public static MessageProperties empty() {
        return EMPTY;
    }

    /** A builder with no values. */
    public static Builder builder() {
        return new Builder(Map.of());
    }

    /** A builder holding this set's values. */
    public Builder toBuilder() {
        return new Builder(values);
    }

    /** The explicitly given value of {@code property}, if any. */
    public <T> Optional<T> explicit(Property<T> property) {
        return Optional.ofNullable(property.type().cast(values.get(property)));
    }

    /** The explicit value, else the RFC default of {@code property}. */
    public <T> T get(Property<T> property) {
        // Read on every send: no Optional, no bound method reference.
        Object value = values.get(property);
        return value == null ? property.defaultValue() : property.type().cast(value);
    }

    /** True when {@code property} was given explicitly. */
    public boolean isSet(Property<?> property) {
        return values.containsKey(property);
    }

    /**
     * The value to use for a Message sent on {@code connection}: the explicit value, else the value
     * inherited from the Connection (MP-03 {@code preserveOrder}, MP-07 {@code reliability}, MP-08
     * {@code connCapacityProfile}, read as the Connection reports them), else the RFC default.
     */
    public <T> T resolve(Property<T> property, ConnectionProperties connection) {
        Optional<T> own = explicit(property);
        if (own.isPresent()) {
            return own.get();
        }
        Optional<Property<?>> parent = property.inheritsFrom();
        if (parent.isPresent() && connection.contains(parent.get())) {
            Object inherited = property.type() == Boolean.class
                    ? (Object) connection.has(parent.get()) : connection.get(parent.get());
            return property.convert(inherited);
        }
        return property.defaultValue();
    }

    /** A set holding this set's values plus those of {@code defaults} that this set does not give. */
    public MessageProperties withDefaults(MessageProperties defaults) {
        if (defaults.values.isEmpty()) {
            return this;
        }
        if (values.isEmpty()) {
            // The common send without per-message properties: no merge, no allocation.
            return defaults;
        }
        Map<Property<?>, Object> merged = new HashMap<>(defaults.values);
        merged.putAll(values);
        return ofValidated(merged);
    }

    /** True when nothing was given explicitly. */
    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** The explicit values in table order, unmodifiable. */
    public Map<Property<?>, Object> explicitValues() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageProperties && values.equals(((MessageProperties) o).values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "MessageProperties" + values;
    }

    /** Builds {@link MessageProperties}; only Message properties are accepted. */
    public static final class Builder {
        private final Map<Property<?>, Object> values;

        private Builder(Map<Property<?>, Object> initial) {
            this.values = new HashMap<>(initial);
        }

        /**
         * Sets a property by RFC name or alias (C-20), converting {@code value} with
         * {@link Property#convert}; a non-Message property is INVALID_PROPERTY.
         */
        public Builder set(String name, Object value) {
            Property<?> p = Property.byName(name);
            requireMessageKind(p);
            values.put(p, p.convert(value));
            return this;
        }

        /** Sets {@code property} to {@code value}, which is range-checked. */
        public <T> Builder set(Property<T> property, T value) {
            requireMessageKind(property);
            values.put(property, property.convert(Objects.requireNonNull(value, "value")));
            return this;
        }

        /** Forgets the value of {@code property} so that its default applies again. */
        public Builder unset(Property<?> property) {
            values.remove(property);
            return this;
        }

        private static void requireMessageKind(Property<?> p) {
            if (p.kind() != PropertyKind.MESSAGE) {
                throw new TransportServicesException(ErrorReason.INVALID_PROPERTY, "property " + p.name()
                        + " is a " + p.kind() + " property, not a Message property (RFC 9622 §9.1.3)");
            }
        }

        /** MP-01 {@code msgLifetime}. */
        public Builder msgLifetime(Duration lifetime) {
            return set(Property.MSG_LIFETIME, Timeout.of(lifetime));
        }

        /** MP-01 {@code msgLifetime}; {@link Timeout#NONE} is infinite. */
        public Builder msgLifetime(Timeout lifetime) {
            return set(Property.MSG_LIFETIME, lifetime);
        }

        /** MP-02 {@code msgPriority} (≥ 0, lower is more important). */
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

        /** MP-05 {@code final} (named so because {@code final} is a Java keyword). */
        public Builder finalMessage(boolean isFinal) {
            return set(Property.FINAL, isFinal);
        }

        /** MP-06 {@code msgChecksumLen}. */
        public Builder msgChecksumLen(ChecksumCoverage coverage) {
            return set(Property.MSG_CHECKSUM_LEN, coverage);
        }

        /** MP-06 {@code msgChecksumLen} as a byte count. */
        public Builder msgChecksumLen(int bytes) {
            return set(Property.MSG_CHECKSUM_LEN, ChecksumCoverage.bytes(bytes));
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
        public MessageProperties build() {
            return ofValidated(values);
        }
    }
}

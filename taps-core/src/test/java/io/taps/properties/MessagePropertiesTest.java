package io.taps.properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessagePropertiesTest {

    @Test
    void mp_defaultsWhenNothingGiven() {
        MessageProperties m = MessageProperties.empty();
        assertThat(m.get(Property.MSG_PRIORITY)).isEqualTo(100);
        assertThat(m.get(Property.MSG_LIFETIME)).isEqualTo(Timeout.NONE);
        assertThat(m.get(Property.FINAL)).isFalse();
        assertThat(m.explicit(Property.MSG_PRIORITY)).isEmpty();
        assertThat(MessageProperties.builder().build()).isSameAs(MessageProperties.empty());
    }

    @Test
    void mp_typedSettersAndByName() {
        MessageProperties m = MessageProperties.builder().msgLifetime(Duration.ofMillis(500)).msgPriority(1)
                .msgOrdered(false).safelyReplayable(true).finalMessage(true).msgChecksumLen(16).msgReliable(false)
                .msgCapacityProfile(CapacityProfile.LOW_LATENCY_INTERACTIVE).noFragmentation(true)
                .noSegmentation(true).build();
        assertThat(m.explicitValues()).hasSize(10);
        assertThat(m.explicit(Property.MSG_LIFETIME)).contains(Timeout.of(Duration.ofMillis(500)));
        assertThat(m.get(Property.FINAL)).isTrue();
        assertThat(m.get(Property.MSG_CHECKSUM_LEN)).isEqualTo(ChecksumCoverage.bytes(16));
        MessageProperties byName = MessageProperties.builder().set("msg-prio", 3).set("IDEMPOTENT", "true")
                .set("singular-transmission", true).build();
        assertThat(byName.get(Property.MSG_PRIORITY)).isEqualTo(3);
        assertThat(byName.get(Property.SAFELY_REPLAYABLE)).isTrue();
        assertThat(byName.get(Property.NO_FRAGMENTATION)).isTrue();
    }

    @Test
    void mp_otherKindsRejected() {
        assertThatThrownBy(() -> MessageProperties.builder().set("reliability", "require"))
                .isInstanceOfSatisfying(TransportServicesException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_PROPERTY))
                .hasMessageContaining("reliability").hasMessageContaining("not a Message property");
        assertThatThrownBy(() -> MessageProperties.builder().set(Property.CONN_PRIORITY, 1))
                .isInstanceOf(TransportServicesException.class);
        assertThatThrownBy(() -> MessageProperties.builder().msgPriority(-1))
                .isInstanceOf(TransportServicesException.class).hasMessageContaining("msgPriority");
    }

    @Test
    void mpX3_withDefaultsExplicitWins() {
        MessageProperties defaults = MessageProperties.builder().msgPriority(50).safelyReplayable(true).build();
        MessageProperties own = MessageProperties.builder().msgPriority(1).build();
        MessageProperties merged = own.withDefaults(defaults);
        assertThat(merged.get(Property.MSG_PRIORITY)).isEqualTo(1);
        assertThat(merged.get(Property.SAFELY_REPLAYABLE)).isTrue();
        assertThat(merged.explicitValues().keySet()).containsExactly(Property.MSG_PRIORITY, Property.SAFELY_REPLAYABLE);
        assertThat(own.withDefaults(MessageProperties.empty())).isSameAs(own);
        assertThat(own.get(Property.SAFELY_REPLAYABLE)).isFalse();
    }

    @Test
    void immutability_builderReuseAndToBuilder() {
        MessageProperties.Builder b = MessageProperties.builder().msgPriority(5);
        MessageProperties first = b.build();
        b.msgPriority(6).finalMessage(true);
        assertThat(first.get(Property.MSG_PRIORITY)).isEqualTo(5);
        assertThat(first.isSet(Property.FINAL)).isFalse();
        MessageProperties copy = first.toBuilder().unset(Property.MSG_PRIORITY).build();
        assertThat(copy.isEmpty()).isTrue();
        assertThat(first.toBuilder().build()).isEqualTo(first).hasSameHashCodeAs(first);
    }

    @Test
    void mp03_mp07_mp08_resolveInheritsFromConnection() {
        ConnectionProperties unordered = ConnectionProperties.of(Map.of(
                Property.PRESERVE_ORDER, false, Property.RELIABILITY, false,
                Property.CONN_CAPACITY_PROFILE, CapacityProfile.SCAVENGER));
        MessageProperties none = MessageProperties.empty();
        assertThat(none.resolve(Property.MSG_ORDERED, unordered)).isFalse();
        assertThat(none.resolve(Property.MSG_RELIABLE, unordered)).isFalse();
        assertThat(none.resolve(Property.MSG_CAPACITY_PROFILE, unordered)).isEqualTo(CapacityProfile.SCAVENGER);
        assertThat(none.resolve(Property.MSG_PRIORITY, unordered)).isEqualTo(100);
        MessageProperties own = MessageProperties.builder().msgOrdered(true).build();
        assertThat(own.resolve(Property.MSG_ORDERED, unordered)).isTrue();
        assertThat(none.resolve(Property.MSG_ORDERED, ConnectionProperties.of(Map.of()))).isTrue();
    }
}

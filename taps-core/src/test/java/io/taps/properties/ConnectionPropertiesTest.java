package io.taps.properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionPropertiesTest {

    @Test
    void c22_selectionPreferencesAreStoredAsBooleans() {
        Map<Property<?>, Object> in = new LinkedHashMap<>();
        in.put(Property.CONN_PRIORITY, 5);
        in.put(Property.RELIABILITY, true);
        in.put(Property.PRESERVE_MSG_BOUNDARIES, Preference.PROHIBIT);
        in.put(Property.KEEP_ALIVE, "require");
        ConnectionProperties c = ConnectionProperties.of(in);
        assertThat(c.get("reliability")).isEqualTo(true);
        assertThat(c.get("preserveMsgBoundaries")).isEqualTo(false);
        assertThat(c.get(Property.RELIABILITY)).isEqualTo(Preference.REQUIRE);
        assertThat(c.get(Property.PRESERVE_MSG_BOUNDARIES)).isEqualTo(Preference.PROHIBIT);
        assertThat(c.has(Property.RELIABILITY)).isTrue();
        assertThat(c.has(Property.PRESERVE_MSG_BOUNDARIES)).isFalse();
        assertThat(c.has(Property.KEEP_ALIVE)).isTrue();
        // RFC table order, not insertion order
        assertThat(c.asMap().keySet()).containsExactly("reliability", "preserveMsgBoundaries", "keepAlive", "connPriority");
        assertThat(c.toString()).contains("reliability=true");
    }

    @Test
    void c22_preferOrAvoidIsNotABooleanReading() {
        assertThatThrownBy(() -> ConnectionProperties.of(Map.of(Property.RELIABILITY, Preference.PREFER)))
                .isInstanceOfSatisfying(TransportServicesException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_PROPERTY))
                .hasMessageContaining("reliability");
    }

    @Test
    void o10_getFallsBackToDefaultAndHasRejectsNonBooleans() {
        ConnectionProperties c = ConnectionProperties.of(Map.of(Property.CAN_SEND, false,
                Property.CONN_STATE, "established", Property.MULTIPATH, MultipathMode.ACTIVE));
        assertThat(c.get(Property.CONN_STATE)).isEqualTo(ConnectionState.ESTABLISHED);
        assertThat(c.has(Property.CAN_SEND)).isFalse();
        assertThat(c.has(Property.CAN_RECEIVE)).isTrue();
        assertThat(c.has(Property.MULTIPATH)).isTrue();
        assertThat(c.get(Property.CONN_PRIORITY)).isEqualTo(100);
        assertThat(c.get("conn-prio")).isEqualTo(100);
        assertThat(c.contains(Property.CONN_PRIORITY)).isFalse();
        assertThatThrownBy(() -> c.has(Property.CONN_PRIORITY))
                .isInstanceOf(TransportServicesException.class).hasMessageContaining("connPriority");
    }

    @Test
    void messagePropertiesAndBadValuesAreRejected() {
        assertThatThrownBy(() -> ConnectionProperties.of(Map.of(Property.MSG_PRIORITY, 1)))
                .isInstanceOf(TransportServicesException.class).hasMessageContaining("msgPriority");
        assertThatThrownBy(() -> ConnectionProperties.of(Map.of(Property.CONN_PRIORITY, "high")))
                .isInstanceOf(TransportServicesException.class).hasMessageContaining("connPriority");
    }

    @Test
    void snapshotIsImmutable() {
        Map<Property<?>, Object> in = new LinkedHashMap<>();
        in.put(Property.CONN_PRIORITY, 5);
        ConnectionProperties c = ConnectionProperties.of(in);
        in.put(Property.CONN_PRIORITY, 6);
        assertThat(c.get(Property.CONN_PRIORITY)).isEqualTo(5);
        assertThatThrownBy(() -> c.asMap().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(c).isEqualTo(ConnectionProperties.of(Map.of(Property.CONN_PRIORITY, 5)));
    }
}

package io.taps.internal.selection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.properties.ConnectionProperties;
import io.taps.properties.ConnectionState;
import io.taps.properties.Direction;
import io.taps.properties.Limit;
import io.taps.properties.MultipathMode;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.PropertyKind;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionPropertiesSnapshotsTest {

    @Test
    void c22_selectionPropertiesReadAsBooleansOfTheChosenStack() {
        ConnectionProperties c = ConnectionPropertiesSnapshots.forEstablished(TransportProperties.defaults(),
                Role.INITIATE, BuiltInStacks.TCP, Map.of());
        assertThat(c.get("reliability")).isEqualTo(true);
        assertThat(c.get("preserveOrder")).isEqualTo(true);
        assertThat(c.get("congestionControl")).isEqualTo(true);
        assertThat(c.get("preserveMsgBoundaries")).isEqualTo(false);
        assertThat(c.get("zeroRttMsg")).isEqualTo(false);
        assertThat(c.get("multistreaming")).isEqualTo(false);
        assertThat(c.get("keepAlive")).isEqualTo(false);               // optional, not asked for
        assertThat(c.get("useTemporaryLocalAddress")).isEqualTo(false); // never offered, though Prefer for Initiate
        assertThat(c.has(Property.RELIABILITY)).isTrue();
        assertThat(c.get(Property.PRESERVE_MSG_BOUNDARIES)).isEqualTo(Preference.PROHIBIT);
        for (Property<?> p : Property.ofKind(PropertyKind.SELECTION)) {
            assertThat(c.contains(p)).as(p.name()).isTrue();
            if (p.isPreference()) {
                assertThat(c.get(p.name())).as(p.name()).isInstanceOf(Boolean.class);
            }
        }
    }

    @Test
    void c22_optionalFeaturesAreTrueOnlyWhenAskedFor() {
        TransportProperties p = TransportProperties.builder().keepAlive(Preference.PREFER)
                .softErrorNotify(Preference.REQUIRE).build();
        assertThat(ConnectionPropertiesSnapshots.forEstablished(p, Role.INITIATE, BuiltInStacks.TCP, Map.of())
                .has(Property.KEEP_ALIVE)).isTrue();
        ConnectionProperties udp = ConnectionPropertiesSnapshots.forEstablished(p, Role.INITIATE, BuiltInStacks.UDP,
                Map.of());
        assertThat(udp.has(Property.SOFT_ERROR_NOTIFY)).isTrue();
        assertThat(udp.has(Property.KEEP_ALIVE)).isFalse();
        assertThat(udp.has(Property.RELIABILITY)).isFalse();
        assertThat(udp.has(Property.PRESERVE_MSG_BOUNDARIES)).isTrue();
        assertThat(ConnectionPropertiesSnapshots.forEstablished(TransportProperties.defaults(), Role.LISTEN,
                BuiltInStacks.TCP, Map.of()).has(Property.USE_TEMPORARY_LOCAL_ADDRESS)).isFalse();
    }

    @Test
    void q3_framedByteStreamReportsPreservedBoundaries() {
        ConnectionProperties c = ConnectionPropertiesSnapshots.forEstablished(TransportProperties.reliableMessage(),
                Role.INITIATE, BuiltInStacks.TCP.withFramer(), Map.of());
        assertThat(c.has(Property.PRESERVE_MSG_BOUNDARIES)).isTrue();
    }

    @Test
    void sp14_sp15_nonPreferenceSelectionValues() {
        TransportProperties p = TransportProperties.builder().multipath(MultipathMode.ACTIVE).advertisesAltaddr(true)
                .direction(Direction.UNIDIRECTIONAL_RECEIVE).interfacePreference("wlan0", Preference.REQUIRE).build();
        ConnectionProperties c = ConnectionPropertiesSnapshots.forEstablished(p, Role.INITIATE, BuiltInStacks.UDP,
                Map.of());
        assertThat(c.get(Property.MULTIPATH)).isEqualTo(MultipathMode.DISABLED);
        assertThat(c.get(Property.ADVERTISES_ALTADDR)).isFalse();
        assertThat(c.get(Property.DIRECTION)).isEqualTo(Direction.UNIDIRECTIONAL_RECEIVE);
        assertThat(c.get(Property.INTERFACE).get("wlan0")).contains(Preference.REQUIRE);
        // RO-02/RO-03 follow direction
        assertThat(c.has(Property.CAN_SEND)).isFalse();
        assertThat(c.has(Property.CAN_RECEIVE)).isTrue();
    }

    @Test
    void a17_connectionAndReadOnlyValues() {
        TransportProperties p = TransportProperties.builder().connPriority(7).connTimeout(Duration.ofSeconds(9))
                .msgPriority(1).build();
        ConnectionProperties c = ConnectionPropertiesSnapshots.forEstablished(p, Role.INITIATE, BuiltInStacks.UDP,
                Map.of(Property.SEND_MSG_MAX_LEN, Limit.of(65507), Property.CONN_PRIORITY, 3));
        assertThat(c.get(Property.CONN_STATE)).isEqualTo(ConnectionState.ESTABLISHED);
        assertThat(c.get(Property.SEND_MSG_MAX_LEN)).isEqualTo(Limit.of(65507));
        assertThat(c.get(Property.CONN_PRIORITY)).isEqualTo(3);                 // current value wins
        assertThat(c.get(Property.CONN_TIMEOUT).duration()).isEqualTo(Duration.ofSeconds(9));
        assertThat(c.get(Property.CONN_SCHEDULER)).isEqualTo(Property.CONN_SCHEDULER.defaultValue());
        assertThat(c.contains(Property.MSG_PRIORITY)).isFalse();
        for (Property<?> prop : Property.all()) {
            assertThat(c.contains(prop)).as(prop.name()).isEqualTo(prop.kind() != PropertyKind.MESSAGE);
        }
        assertThat(c.asMap().keySet().iterator().next()).isEqualTo("reliability");
    }
}

package io.taps.properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransportPropertiesTest {

    @Test
    void profile_reliableInorderStream_B2_1() {
        TransportProperties p = TransportProperties.reliableInorderStream();
        assertThat(p.explicitValues()).containsExactly(
                Map.entry(Property.RELIABILITY, Preference.REQUIRE),
                Map.entry(Property.PRESERVE_MSG_BOUNDARIES, Preference.NO_PREFERENCE),
                Map.entry(Property.PRESERVE_ORDER, Preference.REQUIRE),
                Map.entry(Property.CONGESTION_CONTROL, Preference.REQUIRE));
        assertThat(p.messageDefaults().isEmpty()).isTrue();
    }

    @Test
    void profile_reliableMessage_B2_2() {
        TransportProperties p = TransportProperties.reliableMessage();
        assertThat(p.explicitValues()).containsExactly(
                Map.entry(Property.RELIABILITY, Preference.REQUIRE),
                Map.entry(Property.PRESERVE_MSG_BOUNDARIES, Preference.REQUIRE),
                Map.entry(Property.PRESERVE_ORDER, Preference.REQUIRE),
                Map.entry(Property.CONGESTION_CONTROL, Preference.REQUIRE));
    }

    @Test
    void profile_unreliableDatagram_B2_3() {
        TransportProperties p = TransportProperties.unreliableDatagram();
        assertThat(p.explicitValues()).containsExactly(
                Map.entry(Property.RELIABILITY, Preference.AVOID),
                Map.entry(Property.PRESERVE_MSG_BOUNDARIES, Preference.REQUIRE),
                Map.entry(Property.PRESERVE_ORDER, Preference.AVOID),
                Map.entry(Property.CONGESTION_CONTROL, Preference.NO_PREFERENCE),
                Map.entry(Property.SAFELY_REPLAYABLE, true));
        assertThat(p.messageDefaults().explicitValues()).containsExactly(Map.entry(Property.SAFELY_REPLAYABLE, true));
        assertThat(p.messageDefaults().get(Property.SAFELY_REPLAYABLE)).isTrue();
    }

    @Test
    void o01_builtObjectsAreImmutableAndBuilderReuseDoesNotLeak() {
        TransportProperties.Builder b = TransportProperties.builder().reliability(Preference.PROHIBIT);
        TransportProperties first = b.build();
        b.reliability(Preference.REQUIRE).connPriority(3);
        TransportProperties second = b.build();
        assertThat(first.get(Property.RELIABILITY)).isEqualTo(Preference.PROHIBIT);
        assertThat(first.isSet(Property.CONN_PRIORITY)).isFalse();
        assertThat(second.get(Property.RELIABILITY)).isEqualTo(Preference.REQUIRE);
        assertThat(second.get(Property.CONN_PRIORITY)).isEqualTo(3);
        assertThatThrownBy(() -> first.explicitValues().put(Property.KEEP_ALIVE, Preference.REQUIRE))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void o03_toBuilderCopiesAndLaterSetOverrides() {
        TransportProperties base = TransportProperties.reliableMessage();
        TransportProperties changed = base.toBuilder().reliability(Preference.PREFER).build();
        assertThat(base.get(Property.RELIABILITY)).isEqualTo(Preference.REQUIRE);
        assertThat(changed.get(Property.RELIABILITY)).isEqualTo(Preference.PREFER);
        assertThat(changed.get(Property.PRESERVE_MSG_BOUNDARIES)).isEqualTo(Preference.REQUIRE);
        assertThat(base.toBuilder().build()).isEqualTo(base).hasSameHashCodeAs(base);
        assertThat(changed.toBuilder().unset(Property.RELIABILITY).build().isSet(Property.RELIABILITY)).isFalse();
        assertThat(TransportProperties.builder().build()).isSameAs(TransportProperties.defaults());
    }

    @Test
    void c20_setByNameConvertsAndUsesAliases() {
        TransportProperties p = TransportProperties.builder()
                .set("CONN-PRIO", "7")
                .set("conn-timeout", "5s")
                .set("idempotent", true)
                .set("Preserve_Msg_Boundaries", "require")
                .set("interface", "wlan0=prefer")
                .set("tcp.user-timeout-value", Duration.ofMinutes(2))
                .build();
        assertThat(p.get(Property.CONN_PRIORITY)).isEqualTo(7);
        assertThat(p.get(Property.CONN_TIMEOUT)).isEqualTo(Timeout.of(Duration.ofSeconds(5)));
        assertThat(p.get(Property.SAFELY_REPLAYABLE)).isTrue();
        assertThat(p.get("preserveMsgBoundaries")).isEqualTo(Preference.REQUIRE);
        assertThat(p.get(Property.INTERFACE).get("wlan0")).contains(Preference.PREFER);
        assertThat(p.get(Property.TCP_USER_TIMEOUT_VALUE)).isEqualTo(Timeout.of(Duration.ofMinutes(2)));
        assertThat(p.toString()).contains("connPriority=7").contains("connTimeout=5s");
    }

    @Test
    void conv01_convenienceLevelsEqualSet() {
        TransportProperties viaHelpers = TransportProperties.builder()
                .require(Property.RELIABILITY).prefer(Property.MULTISTREAMING).noPreference("keep-alive")
                .avoid("preserveOrder").prohibit(Property.ZERO_RTT_MSG).build();
        TransportProperties viaSet = TransportProperties.builder()
                .set(Property.RELIABILITY, Preference.REQUIRE).set(Property.MULTISTREAMING, Preference.PREFER)
                .set(Property.KEEP_ALIVE, Preference.NO_PREFERENCE).set(Property.PRESERVE_ORDER, Preference.AVOID)
                .set(Property.ZERO_RTT_MSG, Preference.PROHIBIT).build();
        assertThat(viaHelpers).isEqualTo(viaSet);
        assertThatThrownBy(() -> TransportProperties.builder().require("connPriority"))
                .isInstanceOfSatisfying(TransportServicesException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_PROPERTY))
                .hasMessageContaining("connPriority").hasMessageContaining("not a Preference");
    }

    @Test
    void readOnlyPropertiesCannotBeSet_RO() {
        for (Property<?> p : Property.ofKind(PropertyKind.CONNECTION_READ_ONLY)) {
            assertThatThrownBy(() -> TransportProperties.builder().set(p.name(), p.defaultValue()))
                    .isInstanceOfSatisfying(TransportServicesException.class,
                            e -> assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_PROPERTY))
                    .hasMessageContaining(p.name()).hasMessageContaining("read-only");
        }
    }

    @Test
    void wrongTypeThroughBuilderNamesPropertyAndValue() {
        assertThatThrownBy(() -> TransportProperties.builder().set("connTimeout", 42))
                .isInstanceOfSatisfying(TransportServicesException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_PROPERTY))
                .hasMessageContaining("connTimeout").hasMessageContaining("Timeout").hasMessageContaining("42");
        assertThatThrownBy(() -> TransportProperties.builder().connPriority(-1))
                .isInstanceOf(TransportServicesException.class).hasMessageContaining("connPriority");
        assertThatThrownBy(() -> TransportProperties.builder().set("bogus", 1))
                .isInstanceOf(TransportServicesException.class).hasMessageContaining("bogus");
    }

    @Test
    void sp13_sp14_roleDependentDefaultsUnlessSet() {
        TransportProperties d = TransportProperties.defaults();
        assertThat(d.get(Property.USE_TEMPORARY_LOCAL_ADDRESS)).isEqualTo(Preference.PREFER);
        assertThat(d.get(Property.USE_TEMPORARY_LOCAL_ADDRESS, Role.LISTEN)).isEqualTo(Preference.AVOID);
        assertThat(d.get(Property.MULTIPATH, Role.LISTEN)).isEqualTo(MultipathMode.PASSIVE);
        TransportProperties set = TransportProperties.builder().multipath(MultipathMode.ACTIVE).build();
        assertThat(set.get(Property.MULTIPATH, Role.LISTEN)).isEqualTo(MultipathMode.ACTIVE);
    }

    @Test
    void typedSettersCoverEveryWritableProperty() {
        TransportProperties p = TransportProperties.builder()
                .reliability(Preference.PREFER).preserveMsgBoundaries(Preference.REQUIRE)
                .perMsgReliability(Preference.AVOID).preserveOrder(Preference.PREFER).zeroRttMsg(Preference.AVOID)
                .multistreaming(Preference.AVOID).fullChecksumSend(Preference.PREFER)
                .fullChecksumRecv(Preference.PREFER).congestionControl(Preference.PREFER)
                .keepAlive(Preference.PREFER).interfacePreference("wlan0", Preference.REQUIRE)
                .interfacePreference("rmnet0", Preference.PROHIBIT).pvdPreference("pvd.example", Preference.PREFER)
                .useTemporaryLocalAddress(Preference.AVOID).multipath(MultipathMode.PASSIVE)
                .advertisesAltaddr(true).direction(Direction.UNIDIRECTIONAL_SEND)
                .softErrorNotify(Preference.PREFER).activeReadBeforeSend(Preference.PREFER)
                .recvChecksumLen(ChecksumCoverage.bytes(8)).connPriority(1).connTimeout(Duration.ofSeconds(30))
                .keepAliveTimeout(Duration.ofSeconds(10)).connScheduler(ConnectionScheduler.FCFS)
                .connCapacityProfile(CapacityProfile.SCAVENGER).multipathPolicy(MultipathPolicy.AGGREGATE)
                .minSendRate(1).minRecvRate(2).maxSendRate(3).maxRecvRate(4).groupConnLimit(5)
                .isolateSession(true).tcpUserTimeoutValue(Duration.ofMinutes(5)).tcpUserTimeoutEnabled(true)
                .tcpUserTimeoutChangeable(false).sendQueueLimit(1024).closeTimeout(Duration.ofSeconds(1))
                .maxConcurrentConnections(10).idleTimeout(Duration.ofMinutes(1)).listenBacklog(64)
                .multipathTransport(Preference.REQUIRE)
                .msgLifetime(Duration.ofSeconds(2)).msgPriority(5).msgOrdered(false).safelyReplayable(true)
                .finalMessage(true).msgChecksumLen(ChecksumCoverage.bytes(4)).msgReliable(false)
                .msgCapacityProfile(CapacityProfile.CAPACITY_SEEKING).noFragmentation(true).noSegmentation(true)
                .build();
        for (Property<?> prop : Property.all()) {
            if (prop.kind() != PropertyKind.CONNECTION_READ_ONLY) {
                assertThat(p.isSet(prop)).as(prop.name()).isTrue();
                assertThat(p.get(prop)).as(prop.name()).isNotEqualTo(prop.defaultValue());
            }
        }
        assertThat(p.get(Property.INTERFACE).asMap()).containsOnlyKeys("wlan0", "rmnet0");
        assertThat(p.messageDefaults().explicitValues()).hasSize(10);
        assertThat(p.messageDefaults().get(Property.FINAL)).isTrue();
    }
}

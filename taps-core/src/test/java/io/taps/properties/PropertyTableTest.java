package io.taps.properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PropertyTableTest {

    /** RFC 9622 names, kinds and defaults transcribed from taps-reference.md §1.7–§1.9 (the oracle). */
    static Stream<Arguments> rfcDefaults() {
        return Stream.of(
                Arguments.of("reliability", PropertyKind.SELECTION, Preference.REQUIRE, "SP-01", "6.2.1"),
                Arguments.of("preserveMsgBoundaries", PropertyKind.SELECTION, Preference.NO_PREFERENCE, "SP-02", "6.2.2"),
                Arguments.of("perMsgReliability", PropertyKind.SELECTION, Preference.NO_PREFERENCE, "SP-03", "6.2.3"),
                Arguments.of("preserveOrder", PropertyKind.SELECTION, Preference.REQUIRE, "SP-04", "6.2.4"),
                Arguments.of("zeroRttMsg", PropertyKind.SELECTION, Preference.NO_PREFERENCE, "SP-05", "6.2.5"),
                Arguments.of("multistreaming", PropertyKind.SELECTION, Preference.PREFER, "SP-06", "6.2.6"),
                Arguments.of("fullChecksumSend", PropertyKind.SELECTION, Preference.REQUIRE, "SP-07", "6.2.7"),
                Arguments.of("fullChecksumRecv", PropertyKind.SELECTION, Preference.REQUIRE, "SP-08", "6.2.8"),
                Arguments.of("congestionControl", PropertyKind.SELECTION, Preference.REQUIRE, "SP-09", "6.2.9"),
                Arguments.of("keepAlive", PropertyKind.SELECTION, Preference.NO_PREFERENCE, "SP-10", "6.2.10"),
                Arguments.of("interface", PropertyKind.SELECTION, NamedPreferences.EMPTY, "SP-11", "6.2.11"),
                Arguments.of("pvd", PropertyKind.SELECTION, NamedPreferences.EMPTY, "SP-12", "6.2.12"),
                Arguments.of("useTemporaryLocalAddress", PropertyKind.SELECTION, Preference.PREFER, "SP-13", "6.2.13"),
                Arguments.of("multipath", PropertyKind.SELECTION, MultipathMode.DISABLED, "SP-14", "6.2.14"),
                Arguments.of("advertisesAltaddr", PropertyKind.SELECTION, false, "SP-15", "6.2.15"),
                Arguments.of("direction", PropertyKind.SELECTION, Direction.BIDIRECTIONAL, "SP-16", "6.2.16"),
                Arguments.of("softErrorNotify", PropertyKind.SELECTION, Preference.NO_PREFERENCE, "SP-17", "6.2.17"),
                Arguments.of("activeReadBeforeSend", PropertyKind.SELECTION, Preference.NO_PREFERENCE, "SP-18", "6.2.18"),
                Arguments.of("recvChecksumLen", PropertyKind.CONNECTION, ChecksumCoverage.FULL, "CP-01", "8.1.1"),
                Arguments.of("connPriority", PropertyKind.CONNECTION, 100, "CP-02", "8.1.2"),
                Arguments.of("connTimeout", PropertyKind.CONNECTION, Timeout.NONE, "CP-03", "8.1.3"),
                Arguments.of("keepAliveTimeout", PropertyKind.CONNECTION, Timeout.NONE, "CP-04", "8.1.4"),
                Arguments.of("connScheduler", PropertyKind.CONNECTION, ConnectionScheduler.WEIGHTED_FAIR_QUEUEING, "CP-05", "8.1.5"),
                Arguments.of("connCapacityProfile", PropertyKind.CONNECTION, CapacityProfile.DEFAULT, "CP-06", "8.1.6"),
                Arguments.of("multipathPolicy", PropertyKind.CONNECTION, MultipathPolicy.HANDOVER, "CP-07", "8.1.7"),
                Arguments.of("minSendRate", PropertyKind.CONNECTION, Limit.UNLIMITED, "CP-08", "8.1.8"),
                Arguments.of("minRecvRate", PropertyKind.CONNECTION, Limit.UNLIMITED, "CP-08", "8.1.8"),
                Arguments.of("maxSendRate", PropertyKind.CONNECTION, Limit.UNLIMITED, "CP-08", "8.1.8"),
                Arguments.of("maxRecvRate", PropertyKind.CONNECTION, Limit.UNLIMITED, "CP-08", "8.1.8"),
                Arguments.of("groupConnLimit", PropertyKind.CONNECTION, Limit.UNLIMITED, "CP-09", "8.1.9"),
                Arguments.of("isolateSession", PropertyKind.CONNECTION, false, "CP-10", "8.1.10"),
                Arguments.of("connState", PropertyKind.CONNECTION_READ_ONLY, ConnectionState.ESTABLISHING, "RO-01", "8.1.11.1"),
                Arguments.of("canSend", PropertyKind.CONNECTION_READ_ONLY, true, "RO-02", "8.1.11.2"),
                Arguments.of("canReceive", PropertyKind.CONNECTION_READ_ONLY, true, "RO-03", "8.1.11.3"),
                Arguments.of("singularTransmissionMsgMaxLen", PropertyKind.CONNECTION_READ_ONLY, Limit.UNLIMITED, "RO-04", "8.1.11.4"),
                Arguments.of("sendMsgMaxLen", PropertyKind.CONNECTION_READ_ONLY, Limit.UNLIMITED, "RO-05", "8.1.11.5"),
                Arguments.of("recvMsgMaxLen", PropertyKind.CONNECTION_READ_ONLY, Limit.UNLIMITED, "RO-06", "8.1.11.6"),
                Arguments.of("tcp.userTimeoutValue", PropertyKind.CONNECTION, Timeout.NONE, "TCP-01", "8.2.1"),
                Arguments.of("tcp.userTimeoutEnabled", PropertyKind.CONNECTION, false, "TCP-02", "8.2.2"),
                Arguments.of("tcp.userTimeoutChangeable", PropertyKind.CONNECTION, true, "TCP-03", "8.2.3"),
                Arguments.of("msgLifetime", PropertyKind.MESSAGE, Timeout.NONE, "MP-01", "9.1.3.1"),
                Arguments.of("msgPriority", PropertyKind.MESSAGE, 100, "MP-02", "9.1.3.2"),
                Arguments.of("msgOrdered", PropertyKind.MESSAGE, true, "MP-03", "9.1.3.3"),
                Arguments.of("safelyReplayable", PropertyKind.MESSAGE, false, "MP-04", "9.1.3.4"),
                Arguments.of("final", PropertyKind.MESSAGE, false, "MP-05", "9.1.3.5"),
                Arguments.of("msgChecksumLen", PropertyKind.MESSAGE, ChecksumCoverage.FULL, "MP-06", "9.1.3.6"),
                Arguments.of("msgReliable", PropertyKind.MESSAGE, true, "MP-07", "9.1.3.7"),
                Arguments.of("msgCapacityProfile", PropertyKind.MESSAGE, CapacityProfile.DEFAULT, "MP-08", "9.1.3.8"),
                Arguments.of("noFragmentation", PropertyKind.MESSAGE, false, "MP-09", "9.1.3.9"),
                Arguments.of("noSegmentation", PropertyKind.MESSAGE, false, "MP-10", "9.1.3.10"),
                Arguments.of("_taps.sendQueueLimit", PropertyKind.CONNECTION, Limit.of(16L * 1024 * 1024), "EXT-01", "4.1"),
                Arguments.of("_taps.closeTimeout", PropertyKind.CONNECTION, Timeout.of(Duration.ofSeconds(5)), "EXT-02", "4.1"),
                Arguments.of("_taps.maxConcurrentConnections", PropertyKind.CONNECTION, Limit.UNLIMITED, "EXT-03", "4.1"),
                Arguments.of("_taps.idleTimeout", PropertyKind.CONNECTION, Timeout.NONE, "EXT-04", "4.1"),
                Arguments.of("_taps.listenBacklog", PropertyKind.CONNECTION, Limit.UNLIMITED, "EXT-05", "4.1"),
                Arguments.of("_taps.multipathTransport", PropertyKind.SELECTION, Preference.NO_PREFERENCE, "EXT-06",
                        "4.1"));
    }

    @Test
    void c21_tableListsEveryRfc9622PropertyInRfcOrder() {
        List<String> expected = rfcDefaults().map(a -> (String) a.get()[0]).toList();
        assertThat(Property.all()).extracting(Property::name).containsExactlyElementsOf(expected);
        // The 18 of RFC 9622 §6.2 and taps' _taps.multipathTransport (multipath has no Require).
        assertThat(Property.ofKind(PropertyKind.SELECTION)).hasSize(19);
        assertThat(Property.ofKind(PropertyKind.CONNECTION)).hasSize(21);
        assertThat(Property.ofKind(PropertyKind.CONNECTION_READ_ONLY)).hasSize(6);
        assertThat(Property.ofKind(PropertyKind.MESSAGE)).hasSize(10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rfcDefaults")
    void c21_everyPropertyReadableWithItsRfcDefault(String name, PropertyKind kind, Object def, String id,
            String section) {
        Property<?> p = Property.byName(name);
        assertThat(p.name()).isEqualTo(name);
        assertThat(p.kind()).isEqualTo(kind);
        assertThat(p.defaultValue()).isEqualTo(def);
        assertThat(p.type()).isInstanceOf(Class.class);
        assertThat(p.type().isInstance(def)).isTrue();
        assertThat(p.referenceId()).isEqualTo(id);
        assertThat(p.rfcSection()).isEqualTo(section);
        assertThat(TransportProperties.defaults().get(p)).isEqualTo(def);
        assertThat(TransportProperties.defaults().get(name)).isEqualTo(def);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rfcDefaults")
    void c20_namesAreCaseInsensitive(String name) {
        Property<?> p = Property.byName(name);
        assertThat(Property.byName(name.toUpperCase(Locale.ROOT))).isSameAs(p);
        assertThat(Property.byName(name.toLowerCase(Locale.ROOT))).isSameAs(p);
        assertThat(TransportProperties.defaults().get(name.toUpperCase(Locale.ROOT))).isEqualTo(p.defaultValue());
    }

    @Test
    void q1_everyAliasResolvesToItsProperty() {
        int aliases = 0;
        for (Property<?> p : Property.all()) {
            for (String alias : p.aliases()) {
                assertThat(Property.byName(alias)).as(alias).isSameAs(p);
                assertThat(Property.byName(alias.toUpperCase(Locale.ROOT))).as(alias).isSameAs(p);
                aliases++;
            }
        }
        assertThat(aliases).isGreaterThan(40);
    }

    @Test
    void q1_legacyNamesOfSection1_15Resolve() {
        assertThat(Property.byName("idempotent")).isSameAs(Property.SAFELY_REPLAYABLE);
        assertThat(Property.byName("singular-transmission")).isSameAs(Property.NO_FRAGMENTATION);
        assertThat(Property.byName("conn-prio")).isSameAs(Property.CONN_PRIORITY);
        assertThat(Property.byName("msg-prio")).isSameAs(Property.MSG_PRIORITY);
        assertThat(Property.byName("conn-timeout")).isSameAs(Property.CONN_TIMEOUT);
        assertThat(Property.byName("preserve-msg-boundaries")).isSameAs(Property.PRESERVE_MSG_BOUNDARIES);
        assertThat(Property.byName("PRESERVE_MSG_BOUNDARIES")).isSameAs(Property.PRESERVE_MSG_BOUNDARIES);
        assertThat(Property.byName("local-address-preference")).isSameAs(Property.USE_TEMPORARY_LOCAL_ADDRESS);
        assertThat(Property.byName("tcp.user-timeout-value")).isSameAs(Property.TCP_USER_TIMEOUT_VALUE);
        assertThat(Property.byName("tcp.user-timeout")).isSameAs(Property.TCP_USER_TIMEOUT_ENABLED);
        assertThat(Property.byName("CORRUPTION_PROTECTION_LENGTH")).isSameAs(Property.MSG_CHECKSUM_LEN);
        assertThat(Property.byName("per-msg-checksum-len-send")).isSameAs(Property.FULL_CHECKSUM_SEND);
        assertThat(Property.byName(" keep alive ")).isSameAs(Property.KEEP_ALIVE);
    }

    @Test
    void c20_namespaceDotIsKeptAndVendorNamesResolve() {
        assertThat(Property.find("userTimeoutValue")).isEmpty();
        assertThat(Property.byName("TCP.USERTIMEOUTVALUE")).isSameAs(Property.TCP_USER_TIMEOUT_VALUE);
        assertThat(Property.TCP_USER_TIMEOUT_VALUE.namespace()).contains("tcp");
        assertThat(Property.RELIABILITY.namespace()).isEmpty();
        assertThat(Property.byName("_taps.sendQueueLimit")).isSameAs(Property.SEND_QUEUE_LIMIT);
        assertThat(Property.byName("taps.send-queue-limit")).isSameAs(Property.SEND_QUEUE_LIMIT);
        assertThat(Property.CLOSE_TIMEOUT.namespace()).contains("_taps");
    }

    @Test
    void c20_namesAndAliasesAreUniqueAfterNormalisation() {
        Set<String> seen = new HashSet<>();
        for (Property<?> p : Property.all()) {
            assertThat(seen.add(Words.propertyKey(p.name()))).as(p.name()).isTrue();
        }
    }

    @Test
    void unknownNameIsInvalidPropertyWithSuggestion() {
        assertThatThrownBy(() -> Property.byName("reliabilty"))
                .isInstanceOfSatisfying(TransportServicesException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_PROPERTY))
                .hasMessageContaining("reliabilty").hasMessageContaining("did you mean 'reliability'");
        assertThatThrownBy(() -> Property.byName("noSuchThingAtAll"))
                .isInstanceOf(TransportServicesException.class).hasMessageNotContaining("did you mean");
        assertThatThrownBy(() -> Property.byName("retransmit-notify"))
                .hasMessageContaining("removed in RFC 9622");
        assertThat(Property.find("nope")).isEmpty();
        assertThat(Property.find(null)).isEmpty();
    }

    @Test
    void inheritanceOfMessageDefaults_MP03_MP07_MP08() {
        assertThat(Property.MSG_ORDERED.inheritsFrom()).contains(Property.PRESERVE_ORDER);
        assertThat(Property.MSG_RELIABLE.inheritsFrom()).contains(Property.RELIABILITY);
        assertThat(Property.MSG_CAPACITY_PROFILE.inheritsFrom()).contains(Property.CONN_CAPACITY_PROFILE);
        assertThat(Property.MSG_PRIORITY.inheritsFrom()).isEmpty();
    }

    @Test
    void roleDependentDefaults_SP13_SP14_EXT04() {
        assertThat(Property.USE_TEMPORARY_LOCAL_ADDRESS.defaultFor(Role.INITIATE)).isEqualTo(Preference.PREFER);
        assertThat(Property.USE_TEMPORARY_LOCAL_ADDRESS.defaultFor(Role.LISTEN)).isEqualTo(Preference.AVOID);
        assertThat(Property.USE_TEMPORARY_LOCAL_ADDRESS.defaultFor(Role.RENDEZVOUS)).isEqualTo(Preference.AVOID);
        assertThat(Property.MULTIPATH.defaultFor(Role.INITIATE)).isEqualTo(MultipathMode.DISABLED);
        assertThat(Property.MULTIPATH.defaultFor(Role.RENDEZVOUS)).isEqualTo(MultipathMode.DISABLED);
        assertThat(Property.MULTIPATH.defaultFor(Role.LISTEN)).isEqualTo(MultipathMode.PASSIVE);
        assertThat(Property.RELIABILITY.defaultFor(Role.LISTEN)).isEqualTo(Preference.REQUIRE);
        // Accepted Connections end after 5 minutes without traffic; initiated ones only when asked.
        assertThat(Property.IDLE_TIMEOUT.defaultFor(Role.INITIATE)).isEqualTo(Timeout.NONE);
        assertThat(Property.IDLE_TIMEOUT.defaultFor(Role.RENDEZVOUS)).isEqualTo(Timeout.NONE);
        assertThat(Property.IDLE_TIMEOUT.defaultFor(Role.LISTEN)).isEqualTo(Timeout.of(Duration.ofMinutes(5)));
    }

    @Test
    void isPreferenceMatchesType() {
        List<String> prefs = new ArrayList<>();
        for (Property<?> p : Property.all()) {
            if (p.isPreference()) {
                prefs.add(p.name());
            }
        }
        assertThat(prefs).containsExactly("reliability", "preserveMsgBoundaries", "perMsgReliability",
                "preserveOrder", "zeroRttMsg", "multistreaming", "fullChecksumSend", "fullChecksumRecv",
                "congestionControl", "keepAlive", "useTemporaryLocalAddress", "softErrorNotify",
                "activeReadBeforeSend", "_taps.multipathTransport");
    }

    @Test
    void convertAcceptsLooseInput() {
        assertThat(Property.RELIABILITY.convert(true)).isEqualTo(Preference.REQUIRE);
        assertThat(Property.RELIABILITY.convert(false)).isEqualTo(Preference.PROHIBIT);
        assertThat(Property.RELIABILITY.convert("no-preference")).isEqualTo(Preference.NO_PREFERENCE);
        assertThat(Property.RELIABILITY.convert("Ignore")).isEqualTo(Preference.NO_PREFERENCE);
        assertThat(Property.RELIABILITY.convert("true")).isEqualTo(Preference.REQUIRE);
        assertThat(Property.ISOLATE_SESSION.convert("TRUE")).isTrue();
        assertThat(Property.CONN_PRIORITY.convert(7L)).isEqualTo(7);
        assertThat(Property.CONN_PRIORITY.convert(7.0d)).isEqualTo(7);
        assertThat(Property.CONN_PRIORITY.convert(" 12 ")).isEqualTo(12);
        assertThat(Property.MAX_SEND_RATE.convert(1_000_000)).isEqualTo(Limit.of(1_000_000));
        assertThat(Property.MAX_SEND_RATE.convert("unlimited")).isEqualTo(Limit.UNLIMITED);
        assertThat(Property.CONN_TIMEOUT.convert(Duration.ofSeconds(3))).isEqualTo(Timeout.of(Duration.ofSeconds(3)));
        assertThat(Property.CONN_TIMEOUT.convert("250ms")).isEqualTo(Timeout.of(Duration.ofMillis(250)));
        assertThat(Property.MSG_CHECKSUM_LEN.convert(8)).isEqualTo(ChecksumCoverage.bytes(8));
        assertThat(Property.DIRECTION.convert("Unidirectional receive")).isEqualTo(Direction.UNIDIRECTIONAL_RECEIVE);
        assertThat(Property.CONN_CAPACITY_PROFILE.convert("Low Latency/Interactive"))
                .isEqualTo(CapacityProfile.LOW_LATENCY_INTERACTIVE);
        assertThat(Property.INTERFACE.convert(Map.of("wlan0", "require", "rmnet0", false)))
                .isEqualTo(NamedPreferences.EMPTY.with("wlan0", Preference.REQUIRE).with("rmnet0", Preference.PROHIBIT));
        assertThat(Property.INTERFACE.convert("eth0=avoid")).isEqualTo(NamedPreferences.EMPTY.with("eth0", Preference.AVOID));
    }

    static Stream<Arguments> wrongValues() {
        return Stream.of(
                Arguments.of(Property.CONN_TIMEOUT, 42, "Timeout"),
                Arguments.of(Property.CONN_TIMEOUT, Duration.ZERO, "Timeout"),
                Arguments.of(Property.CONN_TIMEOUT, "soon", "Timeout"),
                Arguments.of(Property.RELIABILITY, 1, "Preference"),
                Arguments.of(Property.RELIABILITY, "maybe", "Preference"),
                Arguments.of(Property.ISOLATE_SESSION, "yes please", "Boolean"),
                Arguments.of(Property.ISOLATE_SESSION, 1, "Boolean"),
                Arguments.of(Property.CONN_PRIORITY, -1, "Integer >= 0"),
                Arguments.of(Property.MSG_PRIORITY, "-5", "Integer >= 0"),
                Arguments.of(Property.CONN_PRIORITY, 1.5d, "Integer"),
                Arguments.of(Property.CONN_PRIORITY, 1L << 40, "Integer"),
                Arguments.of(Property.CONN_PRIORITY, true, "Integer"),
                Arguments.of(Property.GROUP_CONN_LIMIT, -3, "Limit"),
                Arguments.of(Property.MSG_CHECKSUM_LEN, "half", "ChecksumCoverage"),
                Arguments.of(Property.DIRECTION, "sideways", "Direction"),
                Arguments.of(Property.MULTIPATH, Direction.BIDIRECTIONAL, "MultipathMode"),
                Arguments.of(Property.INTERFACE, List.of("wlan0"), "NamedPreferences"));
    }

    @ParameterizedTest(name = "{0} <- {1}")
    @MethodSource("wrongValues")
    void wrongValueTypeIsInvalidPropertyNamingPropertyTypeAndValue(Property<?> p, Object value, String expected) {
        assertThatThrownBy(() -> p.convert(value))
                .isInstanceOfSatisfying(TransportServicesException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_PROPERTY))
                .hasMessageContaining(p.name())
                .hasMessageContaining(expected)
                .hasMessageContaining(String.valueOf(value))
                .hasMessageContaining(value.getClass().getName());
    }

    @Test
    void nullValueIsInvalidProperty() {
        assertThatThrownBy(() -> Property.RELIABILITY.convert(null))
                .isInstanceOf(TransportServicesException.class).hasMessageContaining("reliability");
    }

    @ParameterizedTest
    @ValueSource(strings = {"reliability", "RELIABILITY", "Reliability", "re-li_ability"})
    void c20_setByAnySpellingEqualsSetByRfcName(String spelling) {
        assertThat(TransportProperties.builder().set(spelling, "prohibit").build())
                .isEqualTo(TransportProperties.builder().set("reliability", Preference.PROHIBIT).build());
    }
}

package io.taps.properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypesTest {

    private static void assertInvalid(Runnable r) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(TransportServicesException.class,
                e -> assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_PROPERTY));
    }

    @ParameterizedTest
    @CsvSource({"250ms,PT0.25S", "5s,PT5S", "2m,PT2M", "1h,PT1H", "PT5S,PT5S", "pt1m30s,PT1M30S", "3d,PT72H",
        "10us,PT0.00001S", "7ns,PT0.000000007S", "5 s,PT5S"})
    void cp03_timeoutParsesShortAndIsoForms(String text, String iso) {
        assertThat(Timeout.parse(text).duration()).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"disabled", "Disabled", "NONE", "infinite", "Infinity"})
    void cp03_timeoutDisabledSpellings(String text) {
        assertThat(Timeout.parse(text)).isSameAs(Timeout.NONE);
        assertThat(Timeout.parse(text).isNone()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "5 parsecs", "0s", "PT0S", "PT-5S", "-5s", "P", "soon"})
    void cp03_timeoutRejectsBadText(String text) {
        assertInvalid(() -> Timeout.parse(text));
    }

    @Test
    void cp03_timeoutValueSemantics() {
        assertThatThrownBy(() -> Timeout.of(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Timeout.of(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(Timeout.NONE::duration).isInstanceOf(IllegalStateException.class);
        assertThat(Timeout.NONE.toOptional()).isEmpty();
        assertThat(Timeout.of(Duration.ofSeconds(5)).toOptional()).contains(Duration.ofSeconds(5));
        assertThat(Timeout.NONE).hasToString("Disabled");
        assertThat(Timeout.of(Duration.ofSeconds(5))).hasToString("5s");
        assertThat(Timeout.of(Duration.ofMillis(250))).hasToString("250ms");
        assertThat(Timeout.of(Duration.ofMillis(1500))).hasToString("1500ms");
        assertThat(Timeout.of(Duration.ofMinutes(2))).hasToString("2m");
        assertThat(Timeout.of(Duration.ofHours(1))).hasToString("1h");
        for (Timeout t : new Timeout[] {Timeout.NONE, Timeout.of(Duration.ofNanos(1_234_567)),
            Timeout.of(Duration.ofSeconds(90))}) {
            assertThat(Timeout.parse(t.toString())).isEqualTo(t);
        }
        assertThat(Timeout.parse("5s")).isEqualTo(Timeout.of(Duration.ofSeconds(5)))
                .hasSameHashCodeAs(Timeout.of(Duration.ofSeconds(5)));
    }

    @Test
    void cp08_limit() {
        assertThat(Limit.parse("unlimited")).isSameAs(Limit.UNLIMITED);
        assertThat(Limit.parse("Not applicable")).isSameAs(Limit.UNLIMITED);
        assertThat(Limit.parse("not-applicable").isUnlimited()).isTrue();
        assertThat(Limit.parse("1_000").value()).isEqualTo(1000);
        assertThat(Limit.parse("0")).isEqualTo(Limit.of(0));
        assertThat(Limit.of(10).allows(10)).isTrue();
        assertThat(Limit.of(10).allows(11)).isFalse();
        assertThat(Limit.UNLIMITED.allows(Long.MAX_VALUE)).isTrue();
        assertThatThrownBy(Limit.UNLIMITED::value).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Limit.of(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Limit.UNLIMITED).hasToString("Unlimited");
        assertThat(Limit.of(42)).hasToString("42").isEqualTo(Limit.parse("42")).hasSameHashCodeAs(Limit.of(42));
        assertInvalid(() -> Limit.parse("-1"));
        assertInvalid(() -> Limit.parse("lots"));
        assertInvalid(() -> Limit.parse("99999999999999999999999"));
        assertInvalid(() -> Limit.parse(null));
    }

    @Test
    void mp06_checksumCoverage() {
        assertThat(ChecksumCoverage.parse("full")).isSameAs(ChecksumCoverage.FULL);
        assertThat(ChecksumCoverage.parse("Full Coverage")).isSameAs(ChecksumCoverage.FULL);
        assertThat(ChecksumCoverage.parse("full-coverage").isFull()).isTrue();
        assertThat(ChecksumCoverage.parse("8")).isEqualTo(ChecksumCoverage.bytes(8));
        assertThat(ChecksumCoverage.bytes(8).coveredBytes()).isEqualTo(8);
        assertThat(ChecksumCoverage.bytes(8).covers(9)).isFalse();
        assertThat(ChecksumCoverage.FULL.covers(Integer.MAX_VALUE)).isTrue();
        assertThat(ChecksumCoverage.parse(ChecksumCoverage.FULL.toString())).isSameAs(ChecksumCoverage.FULL);
        assertThatThrownBy(ChecksumCoverage.FULL::coveredBytes).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ChecksumCoverage.bytes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertInvalid(() -> ChecksumCoverage.parse("most"));
        assertInvalid(() -> ChecksumCoverage.parse("-2"));
    }

    @Test
    void sp11_namedPreferences() {
        NamedPreferences np = NamedPreferences.EMPTY.with("wlan0", Preference.REQUIRE).with("rmnet0", Preference.PROHIBIT);
        assertThat(np.get("wlan0")).contains(Preference.REQUIRE);
        assertThat(np.get("WLAN0")).isEmpty();
        assertThat(np.asMap().keySet()).containsExactly("rmnet0", "wlan0");
        assertThat(NamedPreferences.EMPTY.isEmpty()).isTrue();
        assertThat(NamedPreferences.of(Map.of("wlan0", Preference.REQUIRE, "rmnet0", Preference.PROHIBIT))).isEqualTo(np);
        assertThat(NamedPreferences.parse("wlan0=require; rmnet0 : prohibit")).isEqualTo(np);
        assertThat(NamedPreferences.parse("")).isSameAs(NamedPreferences.EMPTY);
        assertThat(np.with("wlan0", Preference.AVOID).get("wlan0")).contains(Preference.AVOID);
        assertThat(np.get("wlan0")).contains(Preference.REQUIRE);
        assertThatThrownBy(() -> np.asMap().put("x", Preference.AVOID)).isInstanceOf(UnsupportedOperationException.class);
        assertInvalid(() -> NamedPreferences.parse("wlan0"));
        assertInvalid(() -> NamedPreferences.parse("wlan0=sometimes"));
    }

    @Test
    void q1_enumParsingAcceptsRfcSpellings() {
        assertThat(Direction.parse("Unidirectional send")).isEqualTo(Direction.UNIDIRECTIONAL_SEND);
        assertThat(Direction.parse("unidirectional-receive")).isEqualTo(Direction.UNIDIRECTIONAL_RECEIVE);
        assertThat(Direction.parse("BIDIRECTIONAL")).isEqualTo(Direction.BIDIRECTIONAL);
        assertThat(MultipathMode.parse("Passive")).isEqualTo(MultipathMode.PASSIVE);
        assertThat(MultipathPolicy.parse("aggregate")).isEqualTo(MultipathPolicy.AGGREGATE);
        assertThat(CapacityProfile.parse("Low Latency/Non-Interactive")).isEqualTo(CapacityProfile.LOW_LATENCY_NON_INTERACTIVE);
        assertThat(CapacityProfile.parse("Constant-Rate Streaming")).isEqualTo(CapacityProfile.CONSTANT_RATE_STREAMING);
        assertThat(CapacityProfile.parse("capacity_seeking")).isEqualTo(CapacityProfile.CAPACITY_SEEKING);
        assertThat(CapacityProfile.parse("Best Effort")).isEqualTo(CapacityProfile.DEFAULT);
        assertThat(ConnectionScheduler.parse("Weighted Fair Queueing")).isEqualTo(ConnectionScheduler.WEIGHTED_FAIR_QUEUEING);
        assertThat(ConnectionScheduler.parse("First-Come, First-Served")).isEqualTo(ConnectionScheduler.FCFS);
        assertThat(ConnectionScheduler.parse("round-robin per packet")).isEqualTo(ConnectionScheduler.ROUND_ROBIN_PER_PACKET);
        assertThat(ConnectionScheduler.parse("Priority-Based")).isEqualTo(ConnectionScheduler.PRIORITY);
        assertThat(ConnectionState.parse("Established")).isEqualTo(ConnectionState.ESTABLISHED);
        assertThatThrownBy(() -> Direction.parse("sideways"))
                .isInstanceOf(TransportServicesException.class)
                .hasMessageContaining("Direction").hasMessageContaining("unidirectional-send");
        assertInvalid(() -> MultipathMode.parse(null));
        assertInvalid(() -> CapacityProfile.parse("fast"));
    }

    @Test
    void cp06_capacityProfileDscpPerRfc9622Section8_1_6() {
        assertThat(CapacityProfile.DEFAULT.dscp()).isEqualTo(0);            // DF
        assertThat(CapacityProfile.SCAVENGER.dscp()).isEqualTo(1);          // LE, RFC 8622
        assertThat(CapacityProfile.LOW_LATENCY_INTERACTIVE.dscp()).isEqualTo(34);     // AF41
        assertThat(CapacityProfile.LOW_LATENCY_NON_INTERACTIVE.dscp()).isEqualTo(18); // AF21
        assertThat(CapacityProfile.CONSTANT_RATE_STREAMING.dscp()).isEqualTo(26);     // AF31
        assertThat(CapacityProfile.CAPACITY_SEEKING.dscp()).isEqualTo(10);            // AF11
    }

    @Test
    void sp16_directionTellsSendAndReceive() {
        assertThat(Direction.UNIDIRECTIONAL_RECEIVE.canSend()).isFalse();
        assertThat(Direction.UNIDIRECTIONAL_SEND.canReceive()).isFalse();
        assertThat(Direction.BIDIRECTIONAL.canSend() && Direction.BIDIRECTIONAL.canReceive()).isTrue();
    }
}

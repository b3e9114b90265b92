package io.taps.path;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.testing.NetnsJvm;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PathChange on a real interface change (RFC 9622 §8.3.2, E-10; RFC 9623 §7.2, M-58, M-59;
 * design.md Q-20), in a child JVM inside a throw-away network namespace with a veth pair
 * ({@link NetnsJvm}): the 10.77.0.0/24 address exists only there.
 */
class PathChangeTest {
    private static final List<String> VETH = List.of(
            "ip link set lo up",
            "ip link add eth7 type veth peer name wlan7",
            "ip link set eth7 up",
            "ip link set wlan7 up",
            "ip addr add 10.77.0.1/24 dev eth7");

    @ParameterizedTest
    @ValueSource(strings = {"address", "link"})
    void aLostPathRaisesPathChangeAndTheConnectionSurvivesUntilItReturns_M59(String loss) {
        NetnsJvm.Result r = NetnsJvm.run(VETH, PathScenarios.class, List.of(loss), Duration.ofSeconds(90));
        assertThat(r.value("done")).as(r.describe()).isEqualTo("true");
        assertThat(r.value("type.lo")).isEqualTo("LOOPBACK");
        assertThat(r.value("type.eth7")).isEqualTo("WIRED");
        assertThat(r.value("type.wlan7")).isEqualTo("WIFI");
        assertThat(r.value("before")).isEqualTo("one");
        assertThat(r.value("pathChangesWhileStable")).isEqualTo("0");
        assertThat(Integer.parseInt(r.value("clientPathChangesAfterLoss"))).as(r.describe()).isPositive();
        assertThat(Integer.parseInt(r.value("serverPathChangesAfterLoss"))).as(r.describe()).isPositive();
        // A QUIC Connection knows its real local address, so PathChange reaches it as well.
        assertThat(r.value("quicLocal")).as(r.describe()).isEqualTo("10.77.0.1");
        assertThat(Integer.parseInt(r.value("quicPathChangesAfterLoss"))).as(r.describe()).isPositive();
        // The TransportObserver sees every PathChange of both ends (for the Spring taps.path.changes counter).
        assertThat(Integer.parseInt(r.value("observedPathChangesAfterLoss"))).as(r.describe()).isPositive();
        assertThat(r.value("observedAtLeastHandlers")).as(r.describe()).isEqualTo("true");
        assertThat(r.value("stateDuringLoss")).isEqualTo("ESTABLISHED");
        if (loss.equals("address")) {
            // Without its address the path is really gone: the echo waits in TCP's retransmissions.
            // (A link set down keeps its local address deliverable on this host, so data may flow.)
            assertThat(r.value("echoedDuringLoss")).as(r.describe()).isEqualTo("false");
        }
        assertThat(r.value("pathChangeOnRestore")).isEqualTo("true");
        assertThat(r.value("after")).isEqualTo("two");
        assertThat(r.value("afterAgain")).isEqualTo("three");
        assertThat(r.value("stateAfterRestore")).isEqualTo("ESTABLISHED");
    }
}

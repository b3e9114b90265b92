package io.taps.path;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.testing.NetnsJvm;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Event-driven PathChange on Linux (RFC 9622 §8.3.2; RFC 9623 §7.2; issue 19 item 3): the kernel's
 * rtnetlink events, read on an epoll event loop, drive the path monitor, in a child JVM inside a
 * throw-away network namespace ({@link NetlinkScenarios}). The monitor polls once a minute there,
 * so every PathChange seen comes from an event.
 */
class NetlinkPathEventsTest {
    private static final List<String> VETH = List.of(
            "ip link set lo up",
            "ip link add eth7 type veth peer name wlan7",
            "ip link set eth7 up",
            "ip link set wlan7 up",
            "ip addr add 10.77.0.1/24 dev eth7");

    @Test
    void addressRemovalRaisesPathChangeWithin100msAndAFlappingLinkGivesBoundedEventsWithoutLeaks() {
        NetnsJvm.Result r = NetnsJvm.run(VETH, NetlinkScenarios.class, List.of(), Duration.ofSeconds(90));
        assertThat(r.value("done")).as(r.describe()).isEqualTo("true");
        // Measured from writing `addr del` to an ip already running (it answered a first command) to the
        // handler's PathChange: the kernel's change, its event, the debounce and the read.
        assertThat(Long.parseLong(r.value("removalLatencyMicros"))).as(r.describe()).isLessThan(100_000);
        // 200 link changes: two reads at once, then at most one per monitor spacing (100 ms) while
        // they last, plus the last one (EventReadPacing).
        // None is right too: when the debounced read runs after the flapping ended, the link is up again
        // and the paths equal those before, so there is no change to raise.
        long flapMillis = Long.parseLong(r.value("flapMillis"));
        int flapEvents = Integer.parseInt(r.value("flapEvents"));
        assertThat(flapEvents).as(r.describe()).isBetween(0, (int) (flapMillis / 100) + 3);
        assertThat(Integer.parseInt(r.value("fdsAfter"))).as(r.describe())
                .isLessThanOrEqualTo(Integer.parseInt(r.value("fdsBefore")) + 2);
        assertThat(Integer.parseInt(r.value("threadsAfter"))).as(r.describe())
                .isLessThanOrEqualTo(Integer.parseInt(r.value("threadsBefore")));
        assertThat(r.value("echoAfterFlaps")).isEqualTo("still");
        // The performance cache keys the OS-chosen path on the network the host is attached to.
        assertThat(r.value("network1")).isEqualTo("default via eth7 10.77.0.0/24");
        assertThat(r.value("network2")).isEqualTo("default via wlan7 10.88.0.0/24");
    }
}

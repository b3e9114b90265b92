package io.taps.path;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.monitor.InterfaceType;
import io.taps.monitor.NetworkPath;
import io.taps.internal.path.PathChanges;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Diffing interface snapshots and inferring interface types (RFC 9623 §7.2, M-58; design.md Q-20). */
class PathChangesTest {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, NetworkPath> snapshot(NetworkPath... paths) {
        Map<String, NetworkPath> map = new LinkedHashMap<>();
        for (NetworkPath path : paths) {
            map.put(path.name(), path);
        }
        return map;
    }

    private static final NetworkPath LO = NetworkPath.of("lo", true, List.of(ip("127.0.0.1"), ip("::1")));
    private static final NetworkPath ETH = NetworkPath.of("eth0", true, List.of(ip("10.0.0.5")));

    @ParameterizedTest
    @CsvSource({"lo,LOOPBACK", "eth0,WIRED", "enp3s0,WIRED", "eno1,WIRED", "wlan0,WIFI", "wlp2s0,WIFI",
        "wwan0,CELLULAR", "rmnet_data0,CELLULAR", "veth12,OTHER", "docker0,OTHER", "tun0,OTHER", "br-lan,OTHER"})
    void interfaceTypeIsInferredFromTheName_Q20(String name, InterfaceType expected) {
        assertThat(InterfaceType.fromName(name)).isEqualTo(expected);
        assertThat(NetworkPath.of(name, true, List.of()).type()).isEqualTo(expected);
    }

    @Test
    void identicalSnapshotsHaveNoChanges() {
        PathChanges changes = PathChanges.between(snapshot(LO, ETH), snapshot(LO, ETH));
        assertThat(changes.isEmpty()).isTrue();
        assertThat(changes.affects(ip("10.0.0.5"))).isFalse();
    }

    @Test
    void addressOrderAloneIsNoChange() {
        NetworkPath reordered = NetworkPath.of("lo", true, List.of(ip("::1"), ip("127.0.0.1")));
        assertThat(PathChanges.between(snapshot(LO), snapshot(reordered)).isEmpty()).isTrue();
    }

    @Test
    void anInterfaceThatAppearsOrDisappearsAffectsItsAddresses() {
        PathChanges added = PathChanges.between(snapshot(LO), snapshot(LO, ETH));
        assertThat(added.appeared()).containsExactly("eth0");
        assertThat(added.affects(ip("10.0.0.5"))).isTrue();
        assertThat(added.affects(ip("127.0.0.1"))).isFalse();

        PathChanges removed = PathChanges.between(snapshot(LO, ETH), snapshot(LO));
        assertThat(removed.disappeared()).containsExactly("eth0");
        assertThat(removed.affects(ip("10.0.0.5"))).isTrue();
        assertThat(removed.changed()).isEmpty();
    }

    @Test
    void aRemovedAddressAffectsConnectionsOnEveryAddressOfThatInterface() {
        NetworkPath two = NetworkPath.of("eth0", true, List.of(ip("10.0.0.5"), ip("10.0.0.6")));
        NetworkPath one = NetworkPath.of("eth0", true, List.of(ip("10.0.0.6")));
        PathChanges changes = PathChanges.between(snapshot(LO, two), snapshot(LO, one));
        assertThat(changes.changed()).containsExactly("eth0");
        assertThat(changes.affects(ip("10.0.0.5"))).as("the address that went").isTrue();
        assertThat(changes.affects(ip("10.0.0.6"))).as("the address that stayed, same interface").isTrue();
        assertThat(changes.affects(ip("127.0.0.1"))).isFalse();
    }

    @Test
    void anAddedAddressAndAnUpDownChangeAreChanges() {
        NetworkPath more = NetworkPath.of("eth0", true, List.of(ip("10.0.0.5"), ip("fd00::5")));
        assertThat(PathChanges.between(snapshot(ETH), snapshot(more)).affects(ip("fd00::5"))).isTrue();
        NetworkPath down = NetworkPath.of("eth0", false, List.of(ip("10.0.0.5")));
        PathChanges wentDown = PathChanges.between(snapshot(ETH), snapshot(down));
        assertThat(wentDown.changed()).containsExactly("eth0");
        assertThat(wentDown.affects(ip("10.0.0.5"))).isTrue();
    }

    @Test
    void networkPathIsAnImmutableValue() {
        List<InetAddress> addresses = new java.util.ArrayList<>(List.of(ip("10.0.0.5")));
        NetworkPath path = NetworkPath.of("eth0", true, addresses);
        addresses.add(ip("10.0.0.6"));
        assertThat(path.addresses()).containsExactly(ip("10.0.0.5"));
        assertThat(path).isEqualTo(ETH).hasSameHashCodeAs(ETH);
        assertThat(path.toString()).isEqualTo("eth0 (WIRED, up) [10.0.0.5]");
        assertThat(path.hasAddress(ip("10.0.0.5"))).isTrue();
    }
}

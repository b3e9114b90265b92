package io.taps.race;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.gather.LocalPath;
import io.taps.internal.gather.PathGatherer;
import io.taps.properties.NamedPreferences;
import io.taps.properties.Preference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The path level of the candidate tree (RFC 9623 §4.1.1, RFC 9622 §6.2.11 interface). */
class PathGathererTest {
    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static final PathGatherer.Interfaces FAKE = () -> {
        Map<String, List<InetAddress>> all = new LinkedHashMap<>();
        all.put("lo", List.of(ip("127.0.0.1"), ip("::1")));
        all.put("eth0", List.of(ip("198.51.100.7"), ip("fe80::1")));
        all.put("wlan0", List.of(ip("203.0.113.7")));
        return all;
    };

    static List<String> describe(List<LocalPath> paths) {
        return paths.stream().map(LocalPath::describe).toList();
    }

    @Test
    void noLocalEndpointAndNoPreferenceIsOneDefaultPath() {
        assertThat(PathGatherer.paths(List.of(), NamedPreferences.EMPTY, FAKE)).containsExactly(LocalPath.DEFAULT);
        assertThat(PathGatherer.paths(List.of(new InetSocketAddress(0)), NamedPreferences.EMPTY, FAKE))
                .containsExactly(new LocalPath(null, 0, null));
    }

    @Test
    void localEndpointsArePaths() {
        assertThat(PathGatherer.paths(List.of(new InetSocketAddress(ip("127.0.0.1"), 0)), NamedPreferences.EMPTY, FAKE))
                .containsExactly(new LocalPath(ip("127.0.0.1"), 0, null));
    }

    @Test
    void requireKeepsOnlyThatInterfaceAndSkipsLinkLocal() {
        assertThat(describe(PathGatherer.paths(List.of(), NamedPreferences.EMPTY.with("lo", Preference.REQUIRE),
                FAKE))).containsExactly("lo 127.0.0.1", "lo ::1");
        assertThat(describe(PathGatherer.paths(List.of(), NamedPreferences.EMPTY.with("eth0", Preference.REQUIRE),
                FAKE))).containsExactly("eth0 198.51.100.7");
    }

    @Test
    void prohibitRemovesAndPreferAvoidOrder() {
        NamedPreferences prefs = NamedPreferences.EMPTY.with("lo", Preference.PROHIBIT)
                .with("wlan0", Preference.PREFER).with("eth0", Preference.AVOID);
        assertThat(describe(PathGatherer.paths(List.of(), prefs, FAKE))).containsExactly("wlan0 203.0.113.7",
                "eth0 198.51.100.7");
    }

    @Test
    void nothingLeftIsNoCandidates() {
        assertThatThrownBy(() -> PathGatherer.paths(List.of(), NamedPreferences.EMPTY.with("ww0", Preference.REQUIRE),
                FAKE)).isInstanceOf(TransportServicesException.class)
                .satisfies(e -> assertThat(((TransportServicesException) e).reason()).isEqualTo(ErrorReason.NO_CANDIDATES));
        assertThatThrownBy(() -> PathGatherer.paths(List.of(new InetSocketAddress(ip("198.51.100.7"), 0)),
                NamedPreferences.EMPTY.with("eth0", Preference.PROHIBIT), FAKE))
                .isInstanceOf(TransportServicesException.class);
    }
}

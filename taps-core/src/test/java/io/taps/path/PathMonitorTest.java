package io.taps.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.taps.monitor.InterfaceType;
import io.taps.monitor.NetworkPath;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.internal.path.PathChanges;
import io.taps.internal.path.PathMonitor;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The path monitor's polling and the public paths view (design.md Q-20, M-58). */
class PathMonitorTest {

    @Test
    void pollsOnItsOwnThreadAndReportsOnlyChanges() throws Exception {
        NetworkPath up = NetworkPath.of("eth0", true, List.of(InetAddress.getByName("10.0.0.5")));
        NetworkPath down = NetworkPath.of("eth0", false, List.of(InetAddress.getByName("10.0.0.5")));
        AtomicReference<Map<String, NetworkPath>> system = new AtomicReference<>(Map.of("eth0", up));
        List<PathChanges> reported = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        try (PathMonitor monitor = new PathMonitor(Duration.ofMillis(20), system::get, changes -> {
            threads.add(Thread.currentThread().getName());
            reported.add(changes);
        })) {
            Thread.sleep(100);
            assertThat(reported).as("nothing changed yet").isEmpty();
            system.set(Map.of("eth0", down));
            await().atMost(Duration.ofSeconds(5)).until(() -> reported.size() == 1);
            assertThat(reported.get(0).changed()).containsExactly("eth0");
            assertThat(monitor.paths()).containsExactly(down);
            assertThat(monitor.upInterfaces()).as("what candidate gathering sees: no down interface").isEmpty();
            system.set(Map.of("eth0", up));
            await().atMost(Duration.ofSeconds(5)).until(() -> reported.size() == 2);
            assertThat(monitor.upInterfaces()).containsEntry("eth0", up.addresses());
            assertThat(threads).containsOnly("taps-path-monitor");
        }
    }

    @Test
    void transportServicesListsTheLoopbackPath_Q20() {
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).build()) {
            assertThat(taps.paths()).anySatisfy(path -> {
                assertThat(path.type()).isEqualTo(InterfaceType.LOOPBACK);
                assertThat(path.hasAddress(InetAddress.getLoopbackAddress())).isTrue();
            });
        }
        try (TransportServices off = TransportServices.builder().eventLoopThreads(1)
                .pathMonitorInterval(Duration.ZERO).build()) {
            assertThat(off.paths()).as("read on demand when the monitor is off")
                    .anySatisfy(path -> assertThat(path.type()).isEqualTo(InterfaceType.LOOPBACK));
        }
    }

    @Test
    void aNegativeIntervalIsRejected() {
        assertThatThrownBy(() -> TransportServices.builder().pathMonitorInterval(Duration.ofSeconds(-1)))
                .isInstanceOf(TransportServicesException.class);
    }
}

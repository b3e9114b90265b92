package io.taps.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.endpoint.LocalEndpoint;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code _taps.listenBacklog} (issue 15 item 3): the backlog a TCP Listener asks for is the one its
 * socket has, as the kernel shows it ({@code ss}: a listening socket's Send-Q is its backlog), and
 * {@link Listener#listenBacklog()} reports it honestly: clamped to {@code net.core.somaxconn}, that
 * maximum when none was asked for, and nothing for a UDP Listener, which has no accept queue.
 */
class ListenBacklogTest extends TapsTestSupport {

    @Test
    void theBacklogAskedForIsTheListeningSocketsAndIsReported() throws Exception {
        try (Listener listener = listen(TransportProperties.builder().listenBacklog(7).build())) {
            assertThat(listener.listenBacklog()).hasValue(7);
            assertThat(kernelBacklog(listener.port())).isEqualTo(7);
        }
    }

    @Test
    void withoutOneOrAboveTheSystemMaximumItIsTheSystemMaximum() throws Exception {
        int somaxconn = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).get(0).trim());
        try (Listener listener = listen(TransportProperties.defaults())) {
            assertThat(listener.listenBacklog()).hasValue(somaxconn);
            assertThat(kernelBacklog(listener.port())).isEqualTo(somaxconn);
        }
        try (Listener listener = listen(TransportProperties.builder().listenBacklog(somaxconn + 1000).build())) {
            assertThat(listener.listenBacklog()).hasValue(somaxconn);
            assertThat(kernelBacklog(listener.port())).isEqualTo(somaxconn);
        }
    }

    @Test
    void aUdpListenerHasNoBacklog() {
        try (Listener listener = listen(TransportProperties.unreliableDatagram().toBuilder().listenBacklog(7).build())) {
            assertThat(listener.protocolStack()).isEqualTo("UDP");
            assertThat(listener.listenBacklog()).isEqualTo(OptionalInt.empty());
        }
    }

    private static Listener listen(TransportProperties properties) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).properties(properties)
                .security(SecurityParameters.disabled()).build().listen(Connection::abort);
        Await.result(listener.ready());
        return listener;
    }

    /** The backlog of the socket listening on 127.0.0.1:{@code port}, as {@code ss -ltn} reports it (Send-Q). */
    private static int kernelBacklog(int port) throws Exception {
        Process ss = new ProcessBuilder("ss", "-Hltn", "sport = :" + port).redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(ss.waitFor(10, TimeUnit.SECONDS)).isTrue();
        // State Recv-Q Send-Q Local:Port Peer:Port
        String[] columns = out.split("\\s+");
        assertThat(columns).as("ss output: %s", out).hasSizeGreaterThanOrEqualTo(4);
        // 127.0.0.1:port, or [::ffff:127.0.0.1]:port for a dual-stack socket
        assertThat(columns[3]).contains("127.0.0.1").endsWith(":" + port);
        return Integer.parseInt(columns[2]);
    }
}

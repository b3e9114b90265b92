package io.taps.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.TransportServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs every benchmark state outside JMH: setup, a few operations, teardown. A broken harness fails
 * here in seconds instead of in a 15-minute run; nothing about timing is asserted.
 */
@Timeout(30)
class HarnessTest {
    private static final int OPERATIONS = 20;

    @Test
    void rawSideUsesTheTransportAndTlsProviderTapsUses() {
        try (TransportServices taps = TapsFixture.create()) {
            assertThat(NettyFixture.transportName()).isEqualTo(taps.ioTransport());
            assertThat(Tls.provider().name().equals("JDK")).isEqualTo(taps.tlsProvider().startsWith("JDK"));
        }
    }

    @Test
    void bulk() throws Exception {
        run(new Bulk.Taps());
        run(new Bulk.Netty());
    }

    @Test
    void pipelined() throws Exception {
        run(new Pipelined.Taps());
        run(new Pipelined.Netty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"TCP", "TLS", "UDP"})
    void requestResponse(String stack) throws Exception {
        RequestResponse.Taps taps = new RequestResponse.Taps();
        taps.stack = stack;
        run(taps);
        RequestResponse.Netty netty = new RequestResponse.Netty();
        netty.stack = stack;
        run(netty);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TCP", "TLS"})
    void connect(String stack) {
        Connect.Taps taps = new Connect.Taps();
        taps.stack = stack;
        run(taps, stack.equals("TLS"));
        Connect.Netty netty = new Connect.Netty();
        netty.stack = stack;
        run(netty, stack.equals("TLS"));
    }

    private static void run(Flow flow) throws InterruptedException {
        flow.setup();
        try {
            for (int i = 0; i < OPERATIONS; i++) {
                flow.operation();
            }
        } finally {
            flow.tearDown();
        }
    }

    private static void run(ConnectClose connections, boolean tls) {
        connections.setup();
        try {
            for (int i = 0; i < OPERATIONS; i++) {
                connections.connectAndClose();
            }
            // Every operation made exactly one full handshake: none failed, none was resumed.
            assertThat(connections.serverHandshakes()).isEqualTo(tls ? OPERATIONS : 0);
            assertThat(connections.serverResumptions()).isZero();
        } finally {
            connections.tearDown();
        }
    }
}

package io.taps.zerortt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.Message;
import io.taps.MessageContext;
import io.taps.Preconnection;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.stack.TcpFastOpen;
import io.taps.properties.MessageProperties;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code zeroRttMsg} (RFC 9622 §6.2.5) selects honestly on the host's own kernel settings: TCP
 * offers 0-RTT only through TCP Fast Open, so a Require fails with NoCandidates naming why where
 * Fast Open cannot be used (the sysctl's side is off, an isolated session), and Prohibit keeps even
 * a safely replayable InitiateWithSend Message out of the SYN. The Fast Open path itself is
 * {@link TcpFastOpenTest}, in a namespace where the sysctl may be changed.
 */
class ZeroRttSelectionTest {
    private static TransportServices taps;

    @BeforeAll
    static void start() {
        taps = TransportServices.builder().eventLoopThreads(1).build();
    }

    @AfterAll
    static void stop() {
        taps.close();
    }

    private static Preconnection.Builder tcp() {
        return taps.preconnection().security(SecurityParameters.disabled());
    }

    private static TransportServicesException thrown(Runnable call) {
        try {
            call.run();
        } catch (TransportServicesException e) {
            return e;
        }
        throw new AssertionError("no TransportServicesException");
    }

    @Test
    void requireOnAnIsolatedSessionHasNoTcpCandidateSinceTheCookieCacheIsTheKernels() {
        Preconnection isolated = tcp().remote(RemoteEndpoint.ofAddress("127.0.0.1", 9))
                .properties(TransportProperties.builder().zeroRttMsg(Preference.REQUIRE).isolateSession(true).build())
                .build();
        TransportServicesException e = thrown(() -> isolated.initiate(new io.taps.ConnectionEventHandler() { }));
        assertThat(e.reason()).isEqualTo(ErrorReason.NO_CANDIDATES);
        assertThat(e.getMessage()).contains("TCP Fast Open");
    }

    @Test
    void requireOnAListenerFailsWhereTheKernelAcceptsNoFastOpenSyns() {
        assumeFalse(TcpFastOpen.serverAvailable(), "this host's net.ipv4.tcp_fastopen accepts Fast Open SYNs");
        Preconnection listening = tcp().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .properties(TransportProperties.builder().zeroRttMsg(Preference.REQUIRE).build()).build();
        assertThatThrownBy(() -> listening.listen(connection -> { })).isInstanceOf(TransportServicesException.class)
                .satisfies(e -> assertThat(((TransportServicesException) e).reason()).isEqualTo(ErrorReason.NO_CANDIDATES))
                .hasMessageContaining("accepts no Fast Open SYNs");
    }

    @Test
    void requireSelectsTcpWhereTheKernelSendsFastOpenSynsAndTheMessageStillArrivesOnce() {
        assumeTrue(TcpFastOpen.clientAvailable(), "this host's net.ipv4.tcp_fastopen sends no Fast Open SYNs");
        try (Listener listener = tcp().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(connection -> connection.receive().thenAccept(m -> connection.send(m)))) {
            Await.result(listener.ready());
            Connection client = tcp().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(TransportProperties.builder().zeroRttMsg(Preference.REQUIRE).build()).build()
                    .initiateWithSend(Message.of("replayable").withContext(MessageContext.of(
                            MessageProperties.builder().safelyReplayable(true).build())),
                            new io.taps.ConnectionEventHandler() { });
            Await.result(client.ready());
            assertThat(client.protocolStack()).contains("TCP");
            // The socket used Fast Open (this listener gave no cookie, so the data followed the handshake).
            assertThat(client.getProperties().get(Property.ZERO_RTT_MSG.name())).isEqualTo(true);
            assertThat(new String(Await.result(client.receive()).bytes(), StandardCharsets.UTF_8))
                    .isEqualTo("replayable");
            client.close();
        }
    }

    @Test
    void prohibitKeepsEvenAReplayableMessageOffFastOpen() {
        try (Listener listener = tcp().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(connection -> connection.receive().thenAccept(m -> connection.send(m)))) {
            Await.result(listener.ready());
            Connection client = tcp().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .properties(TransportProperties.builder().zeroRttMsg(Preference.PROHIBIT).build()).build()
                    .initiateWithSend(Message.of("kept").withContext(MessageContext.of(
                            MessageProperties.builder().safelyReplayable(true).build())),
                            new io.taps.ConnectionEventHandler() { });
            Await.result(client.ready());
            assertThat(client.getProperties().get(Property.ZERO_RTT_MSG.name())).isEqualTo(false);
            assertThat(new String(Await.result(client.receive()).bytes(), StandardCharsets.UTF_8)).isEqualTo("kept");
            client.close();
        }
    }
}

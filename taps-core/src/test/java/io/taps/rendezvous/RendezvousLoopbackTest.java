package io.taps.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.ErrorReason;
import io.taps.Message;
import io.taps.Preconnection;
import io.taps.RendezvousCredentials;
import io.taps.ResolvedEndpoints;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.EstablishmentReport;
import io.taps.properties.TransportProperties;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Rendezvous (RFC 9622 §7.3) between two Preconnections of one process on 127.0.0.1: the events,
 * the report, the credential checks and the configuration errors, in seconds and without root.
 */
class RendezvousLoopbackTest extends TapsTestSupport {

    /** RendezvousDone or EstablishmentError of one side, never Ready. */
    private static class Outcome implements ConnectionEventHandler {
        final CompletableFuture<Connection> done = new CompletableFuture<>();

        @Override
        public void rendezvousDone(Connection connection) {
            done.complete(connection);
        }

        @Override
        public void ready(Connection connection) {
            done.completeExceptionally(new AssertionError("Ready instead of RendezvousDone"));
        }

        @Override
        public void establishmentError(Connection connection, TransportServicesException error) {
            done.completeExceptionally(error);
        }
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Preconnection side(int port, TransportProperties properties) {
        return taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", port))
                .security(SecurityParameters.disabled()).properties(properties).build();
    }

    @Test
    void twoPeersOnLoopbackRendezvousOverUdpAndTalkBothWays() throws Exception {
        Preconnection a = side(freeUdpPort(), TransportProperties.unreliableDatagram());
        Preconnection b = side(freeUdpPort(), TransportProperties.unreliableDatagram());
        ResolvedEndpoints candidatesA = Await.result(a.resolve());
        ResolvedEndpoints candidatesB = Await.result(b.resolve());
        a.setRemoteRendezvousCredentials(b.rendezvousCredentials());
        b.setRemoteRendezvousCredentials(a.rendezvousCredentials());
        a.addRemote(RemoteEndpoint.ofAddress(candidatesB.localEndpoints().get(0).ipAddress().orElseThrow(),
                candidatesB.localEndpoints().get(0).port().orElseThrow()));
        b.addRemote(RemoteEndpoint.ofAddress(candidatesA.localEndpoints().get(0).ipAddress().orElseThrow(),
                candidatesA.localEndpoints().get(0).port().orElseThrow()));
        Outcome outcomeA = new Outcome();
        Outcome outcomeB = new Outcome();
        a.rendezvous(Duration.ofSeconds(10), outcomeA);
        b.rendezvous(Duration.ofSeconds(10), outcomeB);
        Connection connectionA = Await.result(outcomeA.done);
        Connection connectionB = Await.result(outcomeB.done);

        EstablishmentReport report = connectionA.establishmentReport();
        assertThat(report.finished()).isTrue();
        assertThat(report.winner()).hasValueSatisfying(winner -> {
            assertThat(winner.path()).isEqualTo("host " + candidatesA.localEndpoints().get(0).ipAddress().orElseThrow()
                    .getHostAddress() + ":" + candidatesA.localEndpoints().get(0).port().orElseThrow());
            assertThat(winner.peerName()).isEqualTo("host");
        });
        assertThat(report.attempts()).singleElement().satisfies(attempt ->
                assertThat(attempt.outcome()).isEqualTo(EstablishmentReport.Outcome.SUCCEEDED));
        assertThat(report.notes()).anySatisfy(note -> assertThat(note).startsWith("nominated pair"));
        assertThat(connectionA.protocolStack()).hasValue("UDP");

        Await.result(connectionA.send(Message.of("ping".getBytes(StandardCharsets.UTF_8))));
        assertThat(new String(Await.result(connectionB.receive()).bytes(), StandardCharsets.UTF_8)).isEqualTo("ping");
        Await.result(connectionB.send(Message.of("pong".getBytes(StandardCharsets.UTF_8))));
        assertThat(new String(Await.result(connectionA.receive()).bytes(), StandardCharsets.UTF_8)).isEqualTo("pong");
        connectionA.abort();
        connectionB.abort();
    }

    @Test
    void consentExpiresWhenThePeerStopsAnsweringItsChecks() throws Exception {
        TransportProperties quickConsent = TransportProperties.unreliableDatagram().toBuilder()
                .keepAliveTimeout(Duration.ofMillis(100)).build();
        int portA = freeUdpPort();
        int portB = freeUdpPort();
        Preconnection a = side(portA, quickConsent);
        Preconnection b = side(portB, quickConsent);
        a.setRemoteRendezvousCredentials(b.rendezvousCredentials()).addRemote(RemoteEndpoint.ofAddress("127.0.0.1", portB));
        b.setRemoteRendezvousCredentials(a.rendezvousCredentials()).addRemote(RemoteEndpoint.ofAddress("127.0.0.1", portA));
        CompletableFuture<TransportServicesException> lost = new CompletableFuture<>();
        Outcome outcomeA = new Outcome() {
            @Override
            public void connectionError(Connection connection, TransportServicesException error) {
                lost.complete(error);
            }
        };
        Outcome outcomeB = new Outcome();
        a.rendezvous(Duration.ofSeconds(10), outcomeA);
        b.rendezvous(Duration.ofSeconds(10), outcomeB);
        Connection connectionA = Await.result(outcomeA.done);
        Connection connectionB = Await.result(outcomeB.done);
        // While both answer, consent holds over many more than six intervals.
        org.awaitility.Awaitility.await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(3))
                .until(() -> connectionA.getProperties().get(io.taps.properties.Property.CONN_STATE)
                        == io.taps.properties.ConnectionState.ESTABLISHED && !lost.isDone());
        // Both answer each other's consent checks every ~100 ms; once B is gone, A's consent expires
        // after six unanswered intervals (RFC 7675 §5.1 with keepAliveTimeout as the interval).
        connectionB.abort();
        assertThat(Await.result(lost)).hasMessageContaining("consent to send expired");
    }

    @Test
    void aPeerWithOtherCredentialsIsNeverAnsweredAndTheErrorSaysSo() throws Exception {
        int portA = freeUdpPort();
        int portB = freeUdpPort();
        Preconnection a = side(portA, TransportProperties.unreliableDatagram());
        Preconnection b = side(portB, TransportProperties.unreliableDatagram());
        a.setRemoteRendezvousCredentials(RendezvousCredentials.random()).addRemote(RemoteEndpoint.ofAddress("127.0.0.1", portB));
        b.setRemoteRendezvousCredentials(a.rendezvousCredentials()).addRemote(RemoteEndpoint.ofAddress("127.0.0.1", portA));
        Outcome outcomeA = new Outcome();
        Outcome outcomeB = new Outcome();
        a.rendezvous(Duration.ofMillis(1500), outcomeA);
        b.rendezvous(Duration.ofMillis(1500), outcomeB);
        Throwable failure = Await.failure(outcomeA.done);
        assertThat(failure).isInstanceOf(TransportServicesException.class)
                .hasMessageContaining("found no working candidate pair");
        assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.ESTABLISHMENT_FAILED);
        assertThat(Await.failure(outcomeB.done)).hasMessageContaining("failed MESSAGE-INTEGRITY");
    }

    @Test
    void rendezvousNeedsBothEndpointsThePeersCredentialsAndACleartextStackForNow() {
        Preconnection noRemote = side(0, TransportProperties.unreliableDatagram());
        noRemote.setRemoteRendezvousCredentials(RendezvousCredentials.random());
        assertThatThrownBy(() -> noRemote.rendezvous(new Outcome())).isInstanceOfSatisfying(
                TransportServicesException.class, e -> assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION))
                .hasMessageContaining("LocalEndpoint and one RemoteEndpoint");
        Preconnection noCredentials = side(0, TransportProperties.unreliableDatagram())
                .addRemote(RemoteEndpoint.ofAddress("127.0.0.1", 9));
        assertThatThrownBy(() -> noCredentials.rendezvous(new Outcome())).hasMessageContaining("credentials");
        Preconnection secure = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", 9))
                .remoteRendezvousCredentials(RendezvousCredentials.random()).build();
        assertThatThrownBy(() -> secure.rendezvous(new Outcome())).isInstanceOfSatisfying(
                TransportServicesException.class, e -> assertThat(e.reason()).isEqualTo(ErrorReason.NO_CANDIDATES))
                .hasMessageContaining("follow-up");
        assertThatThrownBy(() -> new RendezvousCredentials("abc", "x".repeat(22)))
                .hasMessageContaining("4..32");
        assertThat(RendezvousCredentials.parse(RendezvousCredentials.random().toString())).isNotNull();
    }
}

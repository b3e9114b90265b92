package io.taps.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.pkitesting.X509Bundle;
import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.Limit;
import io.taps.properties.Property;
import io.taps.properties.TransportProperties;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TapsTestSupport;
import io.taps.testing.TestPki;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** taps DTLS/UDP client against the taps DTLS/UDP Listener (RFC 6347, RFC 9622 §4.1, §6.3; issue 18 item 1). */
class DtlsConnectionTest extends TapsTestSupport {

    static SecurityParameters server(X509Bundle bundle) {
        return SecurityParameters.builder()
                .identity(Identity.of(bundle.getKeyPair().getPrivate(), bundle.getCertificatePath())).build();
    }

    static SecurityParameters client() {
        return SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate()).build();
    }

    static Listener dtlsEcho(String address, SecurityParameters security, List<Connection> accepted) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress(address, 0)).security(security)
                .properties(TransportProperties.unreliableDatagram()).build()
                .listen(connection -> {
                    accepted.add(connection);
                    echo(connection);
                });
        Await.result(listener.ready());
        assertThat(listener.protocolStack()).isEqualTo("DTLS/UDP");
        return listener;
    }

    static void echo(Connection connection) {
        connection.receive().whenComplete((message, failure) -> {
            if (failure == null) {
                connection.send(message.bytes());
                echo(connection);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void echoesMessagesOverDtlsWithVerifiedCertificates(String address) {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = dtlsEcho(address, server(TestPki.SERVER), accepted)) {
            RecordingHandler events = new RecordingHandler();
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress(address, listener.port()))
                    .security(client()).properties(TransportProperties.unreliableDatagram()).build().initiate(events);
            Await.result(client.ready());
            assertThat(client.protocolStack()).hasValue("DTLS/UDP");
            assertThat(client.securityOutcome().orElseThrow().protocolVersion()).isEqualTo("DTLSv1.2");
            for (int i = 0; i < 50; i++) {
                Await.result(client.send("message " + i));
                Message reply = Await.result(client.receive());
                assertThat(reply.asString()).isEqualTo("message " + i);
            }
            // Each Message is one datagram: boundaries stay.
            Await.result(client.send(new byte[3000]));
            assertThat(Await.result(client.receive()).length()).isEqualTo(3000);
            assertThat(accepted).hasSize(1);
            assertThat(accepted.get(0).securityOutcome()).isPresent();
            client.close();
            Await.result(client.closed());
            // close_notify ends the accepted Connection too.
            Await.result(accepted.get(0).closed());
            // DTLS contexts (key material, trust anchors) were never built on an event loop.
            assertThat(io.taps.internal.blocking.BlockingWork.violations()).noneMatch(v -> v.contains("DTLS"));
        }
    }

    @Test
    void oversizedMessageFailsWithMessageTooLargeAndIsNeverFragmented() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = dtlsEcho("127.0.0.1", server(TestPki.SERVER), accepted)) {
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .security(client()).properties(TransportProperties.unreliableDatagram()).build().initiate();
            Await.result(client.ready());
            Limit max = client.getProperties().get(Property.SEND_MSG_MAX_LEN);
            assertThat(max).isEqualTo(Limit.of(16_384));
            Throwable failure = Await.failure(client.send(new byte[16_385]));
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.MESSAGE_TOO_LARGE);
            Await.result(client.send(new byte[16_384]));
            assertThat(Await.result(client.receive()).length()).isEqualTo(16_384);
            client.abort();
        }
    }

    @Test
    void secureWithReliabilityProhibitedSelectsDtlsAndCleartextStillSelectsUdp() {
        TransportProperties unreliable = TransportProperties.unreliableDatagram().toBuilder()
                .reliability(io.taps.properties.Preference.PROHIBIT).build();
        try (Listener secure = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                        .security(server(TestPki.SERVER)).properties(unreliable).build().listen(DtlsConnectionTest::echo);
                Listener plain = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                        .security(SecurityParameters.disabled()).properties(unreliable).build().listen(DtlsConnectionTest::echo)) {
            Await.result(secure.ready());
            Await.result(plain.ready());
            assertThat(secure.protocolStack()).isEqualTo("DTLS/UDP");
            assertThat(plain.protocolStack()).isEqualTo("UDP");
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", secure.port()))
                    .security(client()).properties(unreliable).build().initiate();
            Await.result(client.ready());
            assertThat(client.establishmentReport().winner().orElseThrow().stack()).isEqualTo("DTLS/UDP");
            assertThat(client.establishmentReport().attempts())
                    .allSatisfy(attempt -> assertThat(attempt.candidate().stack()).isEqualTo("DTLS/UDP"));
            client.abort();
        }
    }

    @Test
    void onlyTls13AllowedLeavesNoCandidateAndSaysWhy() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> taps.preconnection()
                        .remote(RemoteEndpoint.ofAddress("127.0.0.1", 9))
                        .security(client().toBuilder().allowedProtocols(io.taps.security.TlsVersion.TLS_1_3).build())
                        .properties(TransportProperties.unreliableDatagram()).build().initiate())
                .isInstanceOf(TransportServicesException.class)
                .hasMessageContaining("DTLS 1.3")
                .extracting(e -> ((TransportServicesException) e).reason()).isEqualTo(ErrorReason.NO_CANDIDATES);
    }

    @Test
    void wrongHostnameCertificateFailsWithSecurityFailed() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = dtlsEcho("127.0.0.1", server(TestPki.SERVER), accepted)) {
            Connection client = taps.preconnection()
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .security(client().toBuilder().serverName("not-this-host.example").build())
                    .properties(TransportProperties.unreliableDatagram()).build().initiate();
            Throwable failure = Await.failure(client.ready());
            assertThat(failure).isInstanceOf(TransportServicesException.class);
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.SECURITY_FAILED);
            assertThat(failure).hasMessageContaining("hostname");
            assertThat(accepted).isEmpty();
        }
    }
}

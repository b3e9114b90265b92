package io.taps.connection;

import io.taps.testing.TapsTestSupport;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.pkitesting.X509Bundle;
import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.Message;
import io.taps.TransportServices;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.RecordingHandler;
import io.taps.testing.TestPki;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TLS/TCP with generated certificates over real loopback sockets (RFC 9622 §6.3, C-08, M-25, Q-4, Q-17). */
class TlsConnectionTest extends TapsTestSupport {



    static SecurityParameters server(X509Bundle bundle) {
        return SecurityParameters.builder()
                .identity(Identity.of(bundle.getKeyPair().getPrivate(), bundle.getCertificatePath()))
                .alpn("echo/1").build();
    }

    static SecurityParameters client() {
        return SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate()).alpn("echo/1").build();
    }

    static Listener tlsEcho(X509Bundle bundle, String address) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress(address, 0)).security(server(bundle))
                .build().listen(Echo::serve);
        Await.result(listener.ready());
        assertThat(listener.protocolStack()).isEqualTo("TLS/TCP");
        return listener;
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void echoesOverTlsWithVerifiedCertificateAndAlpn_M25(String address) {
        try (Listener listener = tlsEcho(TestPki.SERVER, address)) {
            RecordingHandler events = new RecordingHandler();
            // The certificate names 127.0.0.1 and ::1 as IP SANs: hostname verification checks the literal.
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress(address, listener.port()))
                    .security(client()).build().initiate(events);
            Await.result(client.ready());
            assertThat(client.protocolStack()).contains("TLS/TCP");
            assertThat(client.negotiatedApplicationProtocol()).contains("echo/1");
            Await.result(client.send("over tls"));
            StringBuilder echoed = new StringBuilder();
            while (echoed.length() < "over tls".length()) {
                echoed.append(Await.result(client.receive()).asString());
            }
            assertThat(echoed).hasToString("over tls");
            client.close();
            Await.result(client.closed());
            assertThat(events.events()).startsWith("Ready", "Sent").endsWith("Closed");
            // The channel and its pipeline are gone: the handshake's outcome still answers.
            assertThat(client.negotiatedApplicationProtocol()).as("after Closed").contains("echo/1");
        }
    }

    @Test
    void untrustedCertificateFailsEstablishmentWithSecurityFailed_C08() {
        try (Listener tls = tlsEcho(TestPki.SERVER_FROM_OTHER, "127.0.0.1")) {
            RecordingHandler events = new RecordingHandler();
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", tls.port()))
                    .security(client()).build().initiate(events);
            TransportServicesException failure = (TransportServicesException) Await.failure(client.ready());
            assertThat(failure.reason()).isEqualTo(ErrorReason.SECURITY_FAILED);
            assertThat(failure.getMessage()).containsIgnoringCase("untrusted");
            assertThat(events.events()).containsExactly("EstablishmentError:SecurityFailed");
            assertThat(client.protocolStack()).isEmpty();
        }
    }

    @Test
    void secureConnectionToACleartextServerFailsAndIsNeverRetriedInCleartext_C08_M74() {
        AtomicInteger received = new AtomicInteger();
        try (Listener plain = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(connection -> {
                    received.incrementAndGet();
                    Echo.serve(connection);
                })) {
            Await.result(plain.ready());
            RecordingHandler events = new RecordingHandler();
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", plain.port()))
                    .security(client()).build().initiate(events);
            Await.failure(client.ready());
            assertThat(events.events()).hasSize(1).first().asString().startsWith("EstablishmentError");
            // Exactly one TCP connection reached the server: the TLS attempt. No second, cleartext one.
            assertThat(received).hasValue(1);
        }
    }

    @Test
    void mutualTlsPresentsTheClientIdentityAndAServerRequiringOneRefusesClientsWithout_SEC02() {
        AtomicInteger delivered = new AtomicInteger();
        SecurityParameters requiringClients = server(TestPki.SERVER).toBuilder()
                .clientAuthentication(io.taps.security.ClientAuthentication.REQUIRE)
                .trustAnchors(TestPki.ROOT.getCertificate()).build();
        try (Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .security(requiringClients).build().listen(connection -> {
                    delivered.incrementAndGet();
                    Echo.serve(connection);
                })) {
            Await.result(listener.ready());
            Identity clientIdentity = Identity.of(TestPki.CLIENT.getKeyPair().getPrivate(),
                    TestPki.CLIENT.getCertificatePath());
            Connection withIdentity = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .security(client().toBuilder().identity(clientIdentity).build()).build().initiate();
            Await.result(withIdentity.send("mutual"));
            StringBuilder echoed = new StringBuilder();
            while (echoed.length() < "mutual".length()) {
                echoed.append(Await.result(withIdentity.receive()).asString());
            }
            assertThat(echoed).hasToString("mutual");
            withIdentity.close();
            Await.result(withIdentity.closed());

            // Without an identity the server rejects the handshake. Under TLS 1.3 the client may finish
            // its side first, so it ends either in EstablishmentError or in ConnectionError; never in a
            // delivered, usable connection.
            RecordingHandler events = new RecordingHandler();
            Connection anonymous = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .security(client()).build().initiate(events);
            anonymous.receive();
            Await.result(events.terminal);
            assertThat(events.events()).last().asString().matches("EstablishmentError:.*|ConnectionError:.*");
            assertThat(delivered).hasValue(1);
        }
    }

    @Test
    void hostnameMismatchFailsWithSecurityFailed() {
        try (Listener listener = tlsEcho(TestPki.SERVER, "127.0.0.1")) {
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port()))
                    .security(client().toBuilder().serverName("other.test").build()).build().initiate();
            TransportServicesException failure = (TransportServicesException) Await.failure(client.ready());
            assertThat(failure.reason()).isEqualTo(ErrorReason.SECURITY_FAILED);
        }
    }

    @Test
    void listenerWithoutIdentityIsAConfigurationError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> taps.preconnection()
                        .local(LocalEndpoint.ofPort(0)).security(SecurityParameters.builder().build()).build()
                        .listen(connection -> { }))
                .isInstanceOf(TransportServicesException.class)
                .extracting(e -> ((TransportServicesException) e).reason())
                .isEqualTo(ErrorReason.INVALID_CONFIGURATION);
    }
}

package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.Listener;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.EstablishmentReport.Outcome;
import io.taps.security.Identity;
import io.taps.security.SecurityLevel;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import io.taps.testing.TestPki;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Secure by default and opportunistic security (RFC 9622 §6.3; issue 15 item 12): a Preconnection
 * without Security Parameters requires verified TLS and never falls back to cleartext; cleartext
 * takes {@code disabled()}; opportunistic security takes TLS when the server speaks it and fails
 * over to cleartext only after TLS failed; an opportunistic Listener serves TLS and cleartext
 * clients on one port.
 *
 * <p>secure-default-migrate: skip (this class relies on the default; the migration script leaves it alone)
 */
class SecureByDefaultTest extends TapsTestSupport {
    static final Identity SERVER = Identity.of(TestPki.SERVER.getKeyPair().getPrivate(),
            TestPki.SERVER.getCertificatePath());

    static Listener echo(SecurityParameters security, List<Connection> accepted) {
        Listener listener = taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).security(security)
                .build().listen(connection -> {
                    accepted.add(connection);
                    Echo.serve(connection);
                });
        Await.result(listener.ready());
        return listener;
    }

    static String roundTrip(Connection connection, String text) {
        Await.result(connection.send(text));
        StringBuilder echoed = new StringBuilder();
        while (echoed.length() < text.length()) {
            echoed.append(Await.result(connection.receive()).asString());
        }
        return echoed.toString();
    }

    static List<String> attempts(EstablishmentReport report, Outcome outcome) {
        return report.attempts().stream().filter(a -> a.outcome() == outcome).map(a -> a.candidate().stack()).toList();
    }

    @Test
    void aPreconnectionWithoutSecurityParametersRequiresVerifiedTls() {
        SecurityParameters applied = taps.preconnection().build().securityParameters();
        assertThat(applied).isEqualTo(SecurityParameters.secureDefault()).isEqualTo(SecurityParameters.builder().build());
        assertThat(applied.level()).isEqualTo(SecurityLevel.REQUIRED);
        assertThat(applied.verifyCertificate()).isTrue();
        assertThat(applied.verifyHostname()).isTrue();
        assertThat(applied.trustAnchors()).as("the system trust store").isEmpty();
    }

    @Test
    void theDefaultNeverFallsBackToACleartextServer() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener cleartext = echo(SecurityParameters.disabled(), accepted)) {
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", cleartext.port()))
                    .build().initiate();
            TransportServicesException failure = (TransportServicesException) Await.failure(client.ready());
            assertThat(failure.reason()).isEqualTo(ErrorReason.SECURITY_FAILED);
            assertThat(client.establishmentReport().attempts()).extracting(a -> a.candidate().stack())
                    .containsOnly("TLS/TCP");
        }
    }

    @Test
    void aListenerWithoutSecurityParametersNeedsAnIdentityAndSaysHowToGetCleartext() {
        assertThatThrownBy(() -> taps.preconnection().local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build()
                .listen(connection -> { }))
                .isInstanceOfSatisfying(TransportServicesException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ErrorReason.INVALID_CONFIGURATION);
                    assertThat(e.getMessage()).contains("identity").contains("SecurityParameters.disabled()");
                });
    }

    @Test
    void opportunisticTakesTlsWhenTheServerSpeaksItAndNeverStartsCleartext() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener tls = echo(SecurityParameters.builder().identity(SERVER).build(), accepted)) {
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", tls.port()))
                    .security(SecurityParameters.opportunistic()).build().initiate();
            Await.result(client.ready());
            assertThat(client.protocolStack()).contains("TLS/TCP");
            assertThat(client.securityOutcome()).isPresent();
            assertThat(roundTrip(client, "opportunistic tls")).isEqualTo("opportunistic tls");
            assertThat(attempts(client.establishmentReport(), Outcome.SUCCEEDED)).containsExactly("TLS/TCP");
            assertThat(client.establishmentReport().attempts()).filteredOn(a -> a.candidate().stack().equals("TCP"))
                    .allSatisfy(a -> assertThat(a.outcome()).isEqualTo(Outcome.NOT_STARTED));
            client.close();
        }
    }

    @Test
    void opportunisticFailsOverToCleartextOnlyAfterTlsFailed() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener cleartext = echo(SecurityParameters.disabled(), accepted)) {
            Connection client = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", cleartext.port()))
                    .security(SecurityParameters.opportunistic()).build().initiate();
            Await.result(client.ready());
            assertThat(client.protocolStack()).contains("TCP");
            assertThat(client.securityOutcome()).isEmpty();
            assertThat(roundTrip(client, "failover")).isEqualTo("failover");
            EstablishmentReport report = client.establishmentReport();
            assertThat(attempts(report, Outcome.FAILED)).containsExactly("TLS/TCP");
            assertThat(attempts(report, Outcome.SUCCEEDED)).containsExactly("TCP");
            EstablishmentReport.Attempt tls = report.attempts().get(0);
            EstablishmentReport.Attempt tcp = report.attempts().get(1);
            assertThat(tcp.startOffset().orElseThrow()).as("cleartext starts after the TLS attempt ended")
                    .isGreaterThanOrEqualTo(tls.startOffset().orElseThrow().plus(tls.duration().orElseThrow()));
            client.close();
        }
    }

    @Test
    void anOpportunisticListenerServesTlsAndCleartextClientsOnOnePort() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener both = echo(SecurityParameters.opportunistic().toBuilder().identity(SERVER).build(), accepted)) {
            assertThat(both.protocolStacks()).containsExactly("TLS/TCP");
            Connection tls = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", both.port()))
                    .security(SecurityParameters.builder().trustAnchors(TestPki.ROOT.getCertificate()).build())
                    .build().initiate();
            assertThat(roundTrip(tls, "over tls")).isEqualTo("over tls");
            assertThat(accepted).hasSize(1);
            assertThat(accepted.get(0).protocolStack()).contains("TLS/TCP");
            assertThat(accepted.get(0).securityOutcome()).isPresent();

            Connection plain = taps.preconnection().remote(RemoteEndpoint.ofAddress("127.0.0.1", both.port()))
                    .security(SecurityParameters.disabled()).build().initiate();
            assertThat(roundTrip(plain, "in cleartext")).isEqualTo("in cleartext");
            assertThat(accepted).hasSize(2);
            assertThat(accepted.get(1).protocolStack()).contains("TCP");
            assertThat(accepted.get(1).securityOutcome()).isEmpty();
            tls.close();
            plain.close();
        }
    }
}

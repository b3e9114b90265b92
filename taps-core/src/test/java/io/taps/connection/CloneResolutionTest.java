package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.dns.DnsRecordType;
import io.taps.Connection;
import io.taps.ErrorReason;
import io.taps.monitor.EstablishmentReport;
import io.taps.Listener;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.properties.ConnectionState;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.DnsFixture;
import io.taps.testing.IsolatedResolutionTestSupport;
import io.taps.testing.LoopbackPorts;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clone with names served by {@link DnsFixture} (RFC 9622 §7.4, design.md Q-16): the clone goes to
 * the address the original won, with no new resolution and no race; a Clone called before the
 * original is Ready waits for it.
 */
class CloneResolutionTest extends IsolatedResolutionTestSupport {
    static final String DUAL = "dual.clone.test";
    static final String SLOW = "slow.clone.test";

    @BeforeAll
    static void records() {
        dns.aaaa(DUAL, "::1").a(DUAL, "127.0.0.1");
        dns.a(SLOW, "127.0.0.1").delay(SLOW, DnsRecordType.A, Duration.ofMillis(600))
                .delay(SLOW, DnsRecordType.AAAA, Duration.ofMillis(600));
    }

    /** Clones {@code original} while its name (SLOW) is still resolving, so before it is Ready. */
    static Connection cloneWhileResolving(Connection original) {
        Connection clone = original.clone();
        assertThat(original.state()).as("the name answers only after 600 ms").isEqualTo(ConnectionState.ESTABLISHING);
        return clone;
    }

    static String host(EstablishmentReport.Attempt attempt) {
        return attempt.candidate().remote().getAddress().getHostAddress();
    }

    @Test
    void cloneOfANameWithTwoAddressesGoesToTheWinnersAddressWithoutResolvingAgain() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = EstablishmentErrorsTest.tcpListener(accepted)) {
            Connection original = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost(DUAL, listener.port())).build()
                    .initiate();
            Await.result(original.ready());
            List<EstablishmentReport.Attempt> raced = original.establishmentReport().startedAttempts();
            assertThat(raced).as("::1 refused, 127.0.0.1 won").hasSize(2);
            assertThat(host(raced.get(0))).isEqualTo("0:0:0:0:0:0:0:1");
            assertThat(host(raced.get(1))).isEqualTo("127.0.0.1");
            int queries = dns.queryCount(DUAL);

            Connection clone = original.clone();
            Await.result(clone.ready());
            EstablishmentReport report = clone.establishmentReport();
            System.out.println(report);
            assertThat(report.startedAttempts()).singleElement().satisfies(attempt -> {
                assertThat(host(attempt)).isEqualTo("127.0.0.1");
                assertThat(attempt.candidate().remote().getPort()).isEqualTo(listener.port());
                assertThat(attempt.outcome()).isEqualTo(EstablishmentReport.Outcome.SUCCEEDED);
            });
            assertThat(report.resolutions()).isEmpty();
            assertThat(dns.queryCount(DUAL)).as("no new resolution").isEqualTo(queries);
            assertThat(clone.remoteEndpoint()).isEqualTo(original.remoteEndpoint());
            assertThat(ConnectionGroupTest.roundTrip(clone, "via the winner")).isEqualTo("via the winner");
            original.closeGroup();
            Await.result(clone.closed());
            Await.result(original.closed());
        }
    }

    @Test
    void cloneBeforeReadyWaitsForTheOriginal() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = EstablishmentErrorsTest.tcpListener(accepted)) {
            Connection original = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost(SLOW, listener.port())).build()
                    .initiate();
            Connection clone = cloneWhileResolving(original);
            assertThat(original.groupedConnections()).containsExactly(original, clone);
            Await.result(clone.ready());
            assertThat(original.state()).isEqualTo(ConnectionState.ESTABLISHED);
            assertThat(clone.remoteEndpoint()).isEqualTo(original.remoteEndpoint());
            assertThat(clone.establishmentReport().startedAttempts()).hasSize(1);
            assertThat(ConnectionGroupTest.roundTrip(clone, "after the original")).isEqualTo("after the original");
            original.closeGroup();
            Await.result(clone.closed());
        }
    }

    @Test
    void cloneBeforeReadyFailsWhenTheOriginalNeverBecomesReady() throws Exception {
        Connection original = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost(SLOW, LoopbackPorts.unused()))
                .build().initiate();
        Connection clone = cloneWhileResolving(original);
        Throwable failure = Await.failure(clone.ready());
        assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.NOT_CLONEABLE);
        assertThat(failure).hasMessageContaining("never became ready");
        assertThat(Await.failure(original.ready())).isInstanceOf(TransportServicesException.class);
        assertThat(original.groupedConnections()).isEmpty();
    }

    @Test
    void cloneBeforeReadyFailsWhenTheOriginalIsClosedWhileEstablishing() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = EstablishmentErrorsTest.tcpListener(accepted)) {
            Connection original = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost(SLOW, listener.port())).build()
                    .initiate();
            Connection clone = cloneWhileResolving(original);
            // Close before Ready with nothing queued: the original goes to Closed without ever being Ready.
            original.close();
            Await.result(original.closed());
            Throwable failure = Await.failure(clone.ready());
            assertThat(((TransportServicesException) failure).reason()).isEqualTo(ErrorReason.NOT_CLONEABLE);
            assertThat(clone.state()).isEqualTo(ConnectionState.CLOSED);
            assertThat(original.groupedConnections()).as("no clone left establishing in the group").isEmpty();
            assertThat(taps.connections()).doesNotContain(clone);
        }
    }

    @Test
    void cloneBeforeReadyOfAFramedConnectionGetsTheFramers() {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        try (Listener listener = taps.preconnection().security(SecurityParameters.disabled()).local(LocalEndpoint.ofAddress("127.0.0.1", 0))
                .framer(io.taps.framer.lengthprefix.LengthPrefixFramer.factory(4)).build().listen(connection -> {
                    accepted.add(connection);
                    Echo.serve(connection);
                })) {
            Await.result(listener.ready());
            Connection original = taps.preconnection().security(SecurityParameters.disabled()).remote(RemoteEndpoint.ofHost(SLOW, listener.port()))
                    .framer(io.taps.framer.lengthprefix.LengthPrefixFramer.factory(4)).build().initiate();
            Connection clone = cloneWhileResolving(original);
            Await.result(clone.ready());
            // Two Messages keep their boundaries only if the clone frames them as the original does.
            clone.send("first");
            clone.send("second");
            assertThat(new String(Await.result(clone.receive()).bytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("first");
            assertThat(new String(Await.result(clone.receive()).bytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("second");
            original.closeGroup();
            Await.result(clone.closed());
        }
    }
}

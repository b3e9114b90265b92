package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.TransportServicesException;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.EstablishmentReport.Outcome;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.LoopbackPorts;
import io.taps.testing.TapsTestSupport;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The establishment report an event handler reads is the final one (RFC 9623 §4): the establisher
 * publishes its report once per event-loop task rather than after every step, and must still have
 * it in place before Ready or EstablishmentError runs the application's handler on the loop.
 */
class EstablishmentReportAtEventsTest extends TapsTestSupport {

    @Test
    void readyHandlerSeesTheWinnerInAFinishedReport() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<EstablishmentReport> seen = new CompletableFuture<>();
            Connection connection = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", server.getLocalPort())).build()
                    .initiate(new ConnectionEventHandler() {
                        @Override
                        public void ready(Connection ready) {
                            seen.complete(ready.establishmentReport());
                        }
                    });
            EstablishmentReport report = Await.result(seen);
            assertThat(report.finished()).isTrue();
            assertThat(report.winner()).hasValueSatisfying(winner -> assertThat(winner.stack()).isEqualTo("TCP"));
            assertThat(report.tree()).isNotEmpty();
            assertThat(report.startedAttempts()).singleElement()
                    .satisfies(attempt -> assertThat(attempt.outcome()).isEqualTo(Outcome.SUCCEEDED));
            connection.abort();
        }
    }

    @Test
    void establishmentErrorHandlerSeesEveryFailedAttempt() throws Exception {
        int port = LoopbackPorts.unused();
        CompletableFuture<EstablishmentReport> seen = new CompletableFuture<>();
        taps.preconnection().security(SecurityParameters.disabled())
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", port)).build()
                .initiate(new ConnectionEventHandler() {
                    @Override
                    public void establishmentError(Connection failed, TransportServicesException error) {
                        seen.complete(failed.establishmentReport());
                    }
                });
        EstablishmentReport report = Await.result(seen);
        assertThat(report.finished()).isTrue();
        assertThat(report.winner()).isEmpty();
        assertThat(report.startedAttempts()).singleElement()
                .satisfies(attempt -> assertThat(attempt.outcome()).isEqualTo(Outcome.FAILED));
    }
}

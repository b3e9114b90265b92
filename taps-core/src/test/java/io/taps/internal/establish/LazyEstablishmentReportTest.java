package io.taps.internal.establish;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Listener;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.EstablishmentReport;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.TapsTestSupport;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 1: a decided race builds its final establishment report only when something reads
 * it (most Connections never do), and the report read later is still the final one, with the
 * winner, the tree and every attempt. Observed through {@link Establishment#FINAL_REPORTS_BUILT},
 * not through time.
 */
class LazyEstablishmentReportTest extends TapsTestSupport {

    @Test
    void theFinalReportIsBuiltOnceAndOnlyWhenRead() {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(c -> { });
        Await.result(listener.ready());
        long before = Establishment.FINAL_REPORTS_BUILT.sum();
        Connection connection = taps.preconnection().security(SecurityParameters.disabled())
                .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build()
                .initiate(new ConnectionEventHandler() { });
        Await.result(connection.ready());
        connection.close();
        Await.result(connection.closed());
        assertThat(Establishment.FINAL_REPORTS_BUILT.sum() - before)
                .as("final reports built while nothing read one").isZero();

        EstablishmentReport report = connection.establishmentReport();
        assertThat(report.finished()).isTrue();
        assertThat(report.winner()).hasValueSatisfying(winner ->
                assertThat(winner.remote().getPort()).isEqualTo(listener.port()));
        assertThat(report.tree()).isNotEmpty();
        assertThat(report.attempts()).singleElement()
                .satisfies(attempt -> assertThat(attempt.outcome()).isEqualTo(EstablishmentReport.Outcome.SUCCEEDED));
        assertThat(connection.establishmentReport()).as("built once, then kept").isSameAs(report);
        assertThat(Establishment.FINAL_REPORTS_BUILT.sum() - before).isEqualTo(1);
        listener.stop();
    }
}

package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.dns.DnsRecordType;
import io.taps.Connection;
import io.taps.Listener;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.EstablishmentReport;
import io.taps.monitor.EstablishmentReport.Attempt;
import io.taps.monitor.EstablishmentReport.Resolution;
import io.taps.security.SecurityParameters;
import io.taps.testing.Await;
import io.taps.testing.IsolatedResolutionTestSupport;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The establishment report places itself on the wall clock ({@link EstablishmentReport#startedAt()})
 * and times each name resolution from its query to its answer ({@link Resolution#started()},
 * {@link Resolution#duration()}), so the reports of several Connections can be drawn on one time
 * line with the DNS phase as its own bar (RFC 9623 §4.2, §4.3). Names come from the class's own
 * DNS fixture, which holds each answer back for a known delay.
 */
class EstablishmentTimelineTest extends IsolatedResolutionTestSupport {
    private static final String NAME = "timeline.race.test";
    private static final Duration DNS_DELAY = Duration.ofMillis(200);

    @BeforeAll
    static void records() {
        dns.aaaa(NAME, "::1").a(NAME, "127.0.0.1").delay(NAME, DnsRecordType.AAAA, DNS_DELAY)
                .delay(NAME, DnsRecordType.A, DNS_DELAY);
    }

    @Test
    void resolutionsAreTimedFromQueryToAnswerOnTheReportsWallClockStart() {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(Echo::serve);
        Await.result(listener.ready());
        try (listener) {
            Instant before = Instant.now();
            Connection connection = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofHost(NAME, listener.port())).build().initiate();
            Await.result(connection.ready());
            Instant after = Instant.now();
            EstablishmentReport report = connection.establishmentReport();

            Instant startedAt = report.startedAt().orElseThrow();
            assertThat(startedAt).isBetween(before, after);

            Attempt first = report.startedAttempts().get(0);
            assertThat(report.resolutions()).extracting(Resolution::family).contains("AAAA", "A");
            for (Resolution resolution : report.resolutions()) {
                if (!resolution.family().equals("AAAA") && !resolution.family().equals("A")) {
                    continue;
                }
                Duration queried = resolution.started().orElseThrow();
                assertThat(queried).isGreaterThanOrEqualTo(Duration.ZERO).isLessThanOrEqualTo(resolution.elapsed());
                // The fixture held the answer back: the query took at least that long.
                assertThat(resolution.duration().orElseThrow()).isGreaterThanOrEqualTo(DNS_DELAY.minusMillis(5));
                // The race had to wait for an address: the first attempt starts after the query.
                assertThat(first.startOffset().orElseThrow()).isGreaterThanOrEqualTo(queried);
                assertThat(resolution.toString()).contains("took ");
            }
            // The first attempt started once an answer came, so within the report's time line.
            assertThat(startedAt.plus(first.startOffset().orElseThrow())).isBefore(after.plusMillis(1));
            connection.abort();
        }
    }

    @Test
    void aCloneIsPlacedOnTheWallClockWhenItBeganOpening() {
        Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                .local(LocalEndpoint.ofAddress("127.0.0.1", 0)).build().listen(Echo::serve);
        Await.result(listener.ready());
        try (listener) {
            Connection original = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress("127.0.0.1", listener.port())).build().initiate();
            Await.result(original.ready());
            Instant beforeClone = Instant.now();
            Connection clone = original.clone();
            Await.result(clone.ready());
            EstablishmentReport report = clone.establishmentReport();
            assertThat(report.startedAt()).get().satisfies(started -> assertThat(started)
                    .isAfterOrEqualTo(beforeClone).isAfterOrEqualTo(original.establishmentReport().startedAt()
                            .orElseThrow()));
            assertThat(report.resolutions()).isEmpty();
            clone.abort();
            original.abort();
        }
    }

    @Test
    void aReportMadeWithoutAStartHasNone() {
        Resolution unknown = new Resolution("example.test", "A", 1, Duration.ofMillis(3), null);
        assertThat(unknown.started()).isEmpty();
        assertThat(unknown.duration()).isEmpty();
        assertThat(EstablishmentReport.empty().startedAt()).isEmpty();
        assertThat(EstablishmentReport.accepted("TCP", null).startedAt()).isEmpty();
    }
}

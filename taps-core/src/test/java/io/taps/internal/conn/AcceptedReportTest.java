package io.taps.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.monitor.EstablishmentReport;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An accepted Connection's report waits in its report field as the peer's address alone, or as
 * {@link AcceptedReport.Parts} when the flow reported notes or no peer, and is built from that as
 * the report of the accepted flow was before (issue 21 figure 12).
 */
class AcceptedReportTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 4711);

    private static Link link(InetSocketAddress remote, List<String> notes) {
        return (Link) Proxy.newProxyInstance(Link.class.getClassLoader(), new Class<?>[] {Link.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "remoteAddress" -> remote;
                    case "establishmentNotes" -> notes;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void theUsualAcceptedFlowWaitsAsItsPeersAddressAlone() {
        Object pending = AcceptedReport.pending(link(PEER, List.of()));
        assertThat(pending).isSameAs(PEER);
        EstablishmentReport report = AcceptedReport.built(pending, "TCP");
        EstablishmentReport expected = EstablishmentReport.accepted("TCP", PEER, List.of());
        assertThat(report.winner()).isEqualTo(expected.winner());
        assertThat(report.tree()).isEqualTo(expected.tree());
        assertThat(report.notes()).isEmpty();
        assertThat(AcceptedReport.built(report, "ignored")).isSameAs(report);
    }

    @Test
    void notesOrNoPeerWaitAsParts() {
        List<String> notes = List.of("the MPTCP client fell back to TCP");
        Object pending = AcceptedReport.pending(link(PEER, notes));
        assertThat(pending).isEqualTo(new AcceptedReport.Parts(PEER, notes));
        assertThat(AcceptedReport.built(pending, "MPTCP").notes()).isEqualTo(notes);
        assertThat(AcceptedReport.built(AcceptedReport.pending(link(null, List.of())), "TCP").winner())
                .isEqualTo(EstablishmentReport.accepted("TCP", null, List.of()).winner());
    }
}

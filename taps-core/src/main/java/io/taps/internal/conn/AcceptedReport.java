package io.taps.internal.conn;

import io.taps.monitor.EstablishmentReport;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The establishment report of a Connection a Listener accepted (RFC 9623 §4), kept until asked for
 * in the Connection's one report field as what it is made of: the peer's address alone in the
 * usual case, a {@link Parts} only when the flow reported notes (an MPTCP fallback) or no peer; the
 * stack's name is the Connection's stack's. Thousands of idle accepted Connections each kept a
 * report of six objects nobody read (issue 21 item 4), then two fields for it beside the report's
 * (8 B of every Connection, issue 21 figure 12).
 */
final class AcceptedReport {
    private AcceptedReport() {
    }

    /** What the report of {@code accepted} is made of, as it is now (kept until the report is asked for). */
    record Parts(InetSocketAddress remote, List<String> notes) {
    }

    /** What the report field holds until the report of {@code accepted} is asked for. */
    static Object pending(Link accepted) {
        InetSocketAddress remote = accepted.remoteAddress();
        List<String> notes = accepted.establishmentNotes();
        return remote != null && notes.isEmpty() ? remote : new Parts(remote, notes);
    }

    /** The report field's value as a report: built from {@link #pending} when it is that. */
    static EstablishmentReport built(Object field, String stackName) {
        if (field instanceof EstablishmentReport) {
            return (EstablishmentReport) field;
        }
        if (field instanceof InetSocketAddress) {
            return EstablishmentReport.accepted(stackName, (InetSocketAddress) field, List.of());
        }
        Parts parts = (Parts) field;
        return EstablishmentReport.accepted(stackName, parts.remote(), parts.notes());
    }
}

package io.taps.internal.group;

import io.taps.monitor.EstablishmentReport;
import io.taps.TransportServicesException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The establishment report of a clone (RFC 9622 §7.4, design.md Q-16): no race and no resolution,
 * one attempt on the original's stack to the original's remote address, and a note saying how the
 * clone was made (a new transport connection, or a new stream of a multistream connection).
 */
public final class CloneReport {
    private CloneReport() {
    }

    /**
     * The report of {@code request}'s one attempt so far: RUNNING while it opens, then SUCCEEDED or
     * FAILED with {@code failure}; {@code how} completes the note (e.g. "a new QUIC stream");
     * {@code startedAt} is when the clone began opening, on the wall clock.
     */
    public static EstablishmentReport of(CloneRequest request, EstablishmentReport.Candidate candidate,
            InetSocketAddress remote, String how, EstablishmentReport.Outcome outcome, Duration took,
            TransportServicesException failure, boolean finished, Instant startedAt) {
        EstablishmentReport.Attempt only = new EstablishmentReport.Attempt(candidate, Optional.of(Duration.ZERO),
                Optional.ofNullable(took), outcome, Optional.ofNullable(failure).map(TransportServicesException::reason),
                Optional.ofNullable(failure).map(Throwable::getMessage), false);
        List<EstablishmentReport.PathBranch> tree = List.of(new EstablishmentReport.PathBranch(candidate.path(),
                List.of(new EstablishmentReport.StackBranch(candidate.stack(), candidate.alpn(), List.of(remote)))));
        return new EstablishmentReport(tree, List.of(), List.of(only),
                outcome == EstablishmentReport.Outcome.SUCCEEDED ? candidate : null,
                List.of("clone in group " + request.original().group().id() + ": " + how
                        + ", no race and no resolution (RFC 9622 §7.4)"),
                finished, took == null ? Duration.ZERO : took, startedAt);
    }
}

package io.taps.internal.rendezvous;

import io.taps.ErrorReason;
import io.taps.monitor.EstablishmentReport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * One candidate pair of a Rendezvous (RFC 8445 §6.1.2): a local base (a bound socket) and a remote
 * candidate, its priority, and its check state (§6.1.2.6: Waiting, In-Progress, Succeeded, Failed).
 * Lives on the Rendezvous' event loop.
 */
final class CandidatePair {
    enum State { WAITING, IN_PROGRESS, SUCCEEDED, FAILED }

    final Base base;
    final InetSocketAddress remote;
    final CandidateType remoteType;
    final long remotePriority;
    long priority;
    State state = State.WAITING;
    /** The peer asked this pair to be used (USE-CANDIDATE, RFC 8445 §7.3.1.5). */
    boolean nominatedByPeer;
    /** This side (controlling) sends USE-CANDIDATE on it. */
    boolean nominating;
    long startedNanos = -1;
    long endedNanos = -1;
    long nextSendNanos;
    long retransmitMillis = 100;
    int checksSent;
    int checksAnswered;
    String failure;
    ErrorReason failureReason;

    CandidatePair(Base base, InetSocketAddress remote, CandidateType remoteType, long remotePriority) {
        this.base = base;
        this.remote = remote;
        this.remoteType = remoteType;
        this.remotePriority = remotePriority;
    }

    /** RFC 8445 §6.1.2.3: 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0), G the controlling side's priority. */
    void prioritise(boolean controlling) {
        long g = controlling ? base.priority() : remotePriority;
        long d = controlling ? remotePriority : base.priority();
        priority = (Math.min(g, d) << 32) + 2 * Math.max(g, d) + (g > d ? 1 : 0);
    }

    boolean valid() {
        return state == State.SUCCEEDED;
    }

    /** The pair as a leaf of the establishment report: path = the local base, the remote candidate. */
    EstablishmentReport.Candidate candidate(String stack) {
        return new EstablishmentReport.Candidate(base.describe(), stack, java.util.List.of(), remote,
                remoteType.label());
    }

    EstablishmentReport.Attempt attempt(String stack, long originNanos, boolean selected, boolean finished) {
        Optional<Duration> start = startedNanos < 0 ? Optional.empty()
                : Optional.of(Duration.ofNanos(startedNanos - originNanos));
        EstablishmentReport.Outcome outcome;
        Optional<ErrorReason> reason = Optional.empty();
        Optional<String> message = Optional.empty();
        if (selected) {
            outcome = EstablishmentReport.Outcome.SUCCEEDED;
        } else if (state == State.FAILED) {
            outcome = EstablishmentReport.Outcome.FAILED;
            reason = Optional.ofNullable(failureReason);
            message = Optional.ofNullable(failure);
        } else if (startedNanos < 0) {
            outcome = finished ? EstablishmentReport.Outcome.NOT_STARTED : EstablishmentReport.Outcome.RUNNING;
        } else if (!finished) {
            outcome = EstablishmentReport.Outcome.RUNNING;
        } else {
            outcome = EstablishmentReport.Outcome.CANCELLED;
            message = Optional.of(state == State.SUCCEEDED ? "valid, another pair was nominated"
                    : "no answer to " + checksSent + " check(s)");
        }
        Optional<Duration> took = startedNanos < 0 || (endedNanos < 0 && !finished) ? Optional.empty()
                : Optional.of(Duration.ofNanos((endedNanos < 0 ? System.nanoTime() : endedNanos) - startedNanos));
        return new EstablishmentReport.Attempt(candidate(stack), start, took, outcome, reason, message, false);
    }

    @Override
    public String toString() {
        return base.describe() + " -> " + remoteType.label() + " " + remote.getAddress().getHostAddress() + ":"
                + remote.getPort();
    }
}

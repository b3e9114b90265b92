package io.taps.monitor;

import io.taps.Connection;
import io.taps.Listener;
import io.taps.ErrorReason;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened while a Connection was established (RFC 9623 §4.1 candidate tree, §4.2 candidate
 * gathering, §4.3 racing; RFC 9622 §7.1; design.md Q-2): the candidate tree as it was gathered
 * (path, then protocol stack with its ALPN list, then resolved remote address), the name
 * resolutions, every attempt with its start offset from the start of establishment, its duration,
 * outcome and failure reason, and the winner. Immutable; {@link #toString()} prints it.
 *
 * <p>Every offset (an attempt's start, a resolution's query and answer) counts from the start of
 * establishment; {@link #startedAt()} places that start on the wall clock, so the reports of
 * several Connections can be drawn on one time line.
 *
 * <p>{@link Connection#establishmentReport()} returns the report so far while establishing and
 * the final one afterwards. A Connection a Listener accepted has no attempts; its winner is the
 * accepted stack.
 */
public final class EstablishmentReport {
    private static final EstablishmentReport EMPTY = new EstablishmentReport(List.of(), List.of(), List.of(), null,
            List.of(), false, Duration.ZERO);

    private final List<PathBranch> tree;
    private final List<Resolution> resolutions;
    private final List<Attempt> attempts;
    private final Candidate winner;
    private final List<String> notes;
    private final boolean finished;
    private final Duration elapsed;
    private final Instant startedAt;

    /**
     * @param tree the candidate tree, best branch first
     * @param resolutions each name resolution (one entry per name and address family)
     * @param attempts every leaf of the tree, in race order, including leaves never started
     * @param winner the leaf that became the Connection, or {@code null}
     * @param notes remarks, e.g. properties this platform cannot honour
     * @param finished whether establishment has ended (Ready, EstablishmentError or cancelled)
     * @param elapsed time from the start of establishment to its end, or to now while running
     */
    public EstablishmentReport(List<PathBranch> tree, List<Resolution> resolutions, List<Attempt> attempts,
            Candidate winner, List<String> notes, boolean finished, Duration elapsed) {
        this(tree, resolutions, attempts, winner, notes, finished, elapsed, null);
    }

    /**
     * A report whose start is known on the wall clock.
     *
     * @param tree the candidate tree, best branch first
     * @param resolutions each name resolution (one entry per name and address family)
     * @param attempts every leaf of the tree, in race order, including leaves never started
     * @param winner the leaf that became the Connection, or {@code null}
     * @param notes remarks, e.g. properties this platform cannot honour
     * @param finished whether establishment has ended (Ready, EstablishmentError or cancelled)
     * @param elapsed time from the start of establishment to its end, or to now while running
     * @param startedAt when establishment started on the wall clock (offset zero of every offset
     *     in the report), or {@code null} when unknown
     */
    public EstablishmentReport(List<PathBranch> tree, List<Resolution> resolutions, List<Attempt> attempts,
            Candidate winner, List<String> notes, boolean finished, Duration elapsed, Instant startedAt) {
        this.tree = List.copyOf(tree);
        this.resolutions = List.copyOf(resolutions);
        this.attempts = List.copyOf(attempts);
        this.winner = winner;
        this.notes = List.copyOf(notes);
        this.finished = finished;
        this.elapsed = Objects.requireNonNull(elapsed, "elapsed");
        this.startedAt = startedAt;
    }

    /** A report with nothing in it: establishment has not started. */
    public static EstablishmentReport empty() {
        return EMPTY;
    }

    /** The report of a Connection a Listener accepted (RFC 9622 §7.2): no race, the accepted stack wins. */
    public static EstablishmentReport accepted(String stack, InetSocketAddress remote) {
        return accepted(stack, remote, List.of());
    }

    /**
     * The report of a Connection a Listener accepted, with what the accepted flow itself reported
     * (e.g. that an MPTCP client fell back to TCP).
     */
    public static EstablishmentReport accepted(String stack, InetSocketAddress remote, List<String> notes) {
        Candidate candidate = new Candidate("accepted by a Listener", stack, List.of(), remote, null);
        return new EstablishmentReport(List.of(new PathBranch(candidate.path(),
                List.of(new StackBranch(stack, List.of(), remote == null ? List.of() : List.of(remote))))),
                List.of(), List.of(), candidate, notes, true, Duration.ZERO);
    }

    /** The candidate tree (RFC 9623 §4.1): paths, their stacks, their resolved addresses. */
    public List<PathBranch> tree() {
        return tree;
    }

    /** Name resolutions, one per host name and address family. */
    public List<Resolution> resolutions() {
        return resolutions;
    }

    /** Every leaf in race order, with its outcome ({@link Outcome#NOT_STARTED} when never tried). */
    public List<Attempt> attempts() {
        return attempts;
    }

    /** The attempts that were started, in start order. */
    public List<Attempt> startedAttempts() {
        List<Attempt> started = new ArrayList<>();
        for (Attempt attempt : attempts) {
            if (attempt.outcome() != Outcome.NOT_STARTED) {
                started.add(attempt);
            }
        }
        started.sort((a, b) -> a.startOffset().orElseThrow().compareTo(b.startOffset().orElseThrow()));
        return started;
    }

    /** The leaf that became the Connection. */
    public Optional<Candidate> winner() {
        return Optional.ofNullable(winner);
    }

    /** Remarks, for example that provisioning domains cannot be selected on this platform. */
    public List<String> notes() {
        return notes;
    }

    /** Whether establishment has ended. */
    public boolean finished() {
        return finished;
    }

    /** Time from the start of establishment to its end (or to the moment of this report). */
    public Duration elapsed() {
        return elapsed;
    }

    /**
     * When establishment started on the wall clock: offset zero of {@link Attempt#startOffset()}
     * and of {@link Resolution#started()} and {@link Resolution#elapsed()}. Empty for a Connection
     * a Listener accepted and for reports made without it.
     */
    public Optional<Instant> startedAt() {
        return Optional.ofNullable(startedAt);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        out.append("Establishment ").append(finished ? "finished" : "running").append(" after ")
                .append(elapsed.toMillis()).append(" ms");
        out.append(winner == null ? ", no winner" : ", winner: " + winner.describe()).append('\n');
        if (!resolutions.isEmpty()) {
            out.append("Resolution:\n");
            for (Resolution r : resolutions) {
                out.append("  ").append(r).append('\n');
            }
        }
        out.append("Candidate tree:\n");
        for (PathBranch path : tree) {
            out.append("  path ").append(path.path()).append('\n');
            for (StackBranch stack : path.stacks()) {
                out.append("    stack ").append(stack.stack());
                if (stack.proxy() != null) {
                    out.append(" through ").append(stack.proxy());
                }
                if (!stack.alpn().isEmpty()) {
                    out.append(" alpn=").append(stack.alpn());
                }
                out.append('\n');
                for (InetSocketAddress address : stack.addresses()) {
                    out.append("      ").append(format(address)).append('\n');
                }
            }
        }
        if (!attempts.isEmpty()) {
            out.append("Attempts:\n");
            for (Attempt attempt : attempts) {
                out.append("  ").append(attempt).append('\n');
            }
        }
        for (String note : notes) {
            out.append("Note: ").append(note).append('\n');
        }
        return out.toString();
    }

    static String format(InetSocketAddress address) {
        if (address == null) {
            return "?";
        }
        String host = address.getAddress() == null ? address.getHostString()
                : io.netty.util.NetUtil.toAddressString(address.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** The outcome of one leaf of the candidate tree (RFC 9623 §4.3). */
    public enum Outcome {
        /** The whole stack became ready and this leaf is the Connection. */
        SUCCEEDED,
        /** The attempt failed; the reason says why. */
        FAILED,
        /** The attempt was stopped: another leaf won, the timeout ended, or the application closed. */
        CANCELLED,
        /** Still running (only in a report taken while establishing). */
        RUNNING,
        /** The race ended before this leaf's turn. */
        NOT_STARTED
    }

    /**
     * One leaf of the candidate tree (RFC 9623 §4.1): a path, a protocol stack and a remote address.
     *
     * @param path the local path, e.g. {@code "default (chosen by the OS)"} or {@code "lo 127.0.0.1"}
     * @param stack the protocol stack, e.g. {@code "TLS/TCP"}
     * @param alpn the ALPN protocols offered on this leaf
     * @param remote the resolved remote address
     * @param peerName the name TLS verifies (the host name, else the address literal), may be null
     * @param proxy the proxy the leaf tunnels through (RFC 9623 §4.1.2), e.g. {@code "SOCKS5 proxy
     *     127.0.0.1:1080"}, or {@code null} on the direct branch; {@code remote} is then the
     *     destination the proxy connects to, unresolved when the proxy resolves the name
     */
    public record Candidate(String path, String stack, List<String> alpn, InetSocketAddress remote, String peerName,
            String proxy) {
        /** Copies the ALPN list. */
        public Candidate {
            alpn = List.copyOf(alpn);
        }

        /** A leaf of the direct branch. */
        public Candidate(String path, String stack, List<String> alpn, InetSocketAddress remote, String peerName) {
            this(path, stack, alpn, remote, peerName, null);
        }

        /** The proxy of a proxy leaf. */
        public Optional<String> proxyUsed() {
            return Optional.ofNullable(proxy);
        }

        /** One line: stack to address (through the proxy) via path. */
        public String describe() {
            return stack + " to " + format(remote) + (peerName == null ? "" : " (" + peerName + ")")
                    + (proxy == null ? "" : " through " + proxy) + " via " + path;
        }
    }

    /**
     * A path branch of the tree (RFC 9623 §4.1.1).
     *
     * @param path the local path
     * @param stacks the stacks on this path, best first
     */
    public record PathBranch(String path, List<StackBranch> stacks) {
        /** Copies the list. */
        public PathBranch {
            stacks = List.copyOf(stacks);
        }
    }

    /**
     * A protocol branch of the tree (RFC 9623 §4.1.2).
     *
     * @param stack the protocol stack
     * @param alpn the ALPN protocols it offers
     * @param addresses the resolved remote addresses below it, in race order (through a proxy that
     *     resolves names: the unresolved destinations)
     * @param proxy the proxy this branch tunnels through (RFC 9623 §4.1.2), or {@code null} when direct
     */
    public record StackBranch(String stack, List<String> alpn, List<InetSocketAddress> addresses, String proxy) {
        /** Copies the lists. */
        public StackBranch {
            alpn = List.copyOf(alpn);
            addresses = List.copyOf(addresses);
        }

        /** A direct branch. */
        public StackBranch(String stack, List<String> alpn, List<InetSocketAddress> addresses) {
            this(stack, alpn, addresses, null);
        }
    }

    /**
     * One name resolution (RFC 9623 §4.2; Happy Eyeballs v3 queries AAAA and A separately, and
     * asks the HTTPS record beside them).
     *
     * @param name the host name
     * @param family {@code "AAAA"}, {@code "A"} or {@code "HTTPS"}
     * @param answers how many addresses (records) it gave
     * @param elapsed when it answered (or failed), from the start of establishment
     * @param error why it failed, or {@code null}
     * @param queriedAt when it was asked, from the start of establishment; {@code null} when
     *     unknown (see {@link #started()})
     */
    public record Resolution(String name, String family, int answers, Duration elapsed, String error,
            Duration queriedAt) {
        /** A resolution whose query time is unknown. */
        public Resolution(String name, String family, int answers, Duration elapsed, String error) {
            this(name, family, answers, elapsed, error, null);
        }

        /** When it was asked, from the start of establishment; empty when unknown. */
        public Optional<Duration> started() {
            return Optional.ofNullable(queriedAt);
        }

        /** How long the resolution took, from its query to its answer; empty when the query time is unknown. */
        public Optional<Duration> duration() {
            return started().map(start -> elapsed.minus(start));
        }

        @Override
        public String toString() {
            return family + " " + name + ": " + answers + " address(es) at +" + elapsed.toMillis() + " ms"
                    + duration().map(took -> " (took " + took.toMillis() + " ms)").orElse("")
                    + (error == null ? "" : " (" + error + ")");
        }
    }

    /**
     * One leaf in race order and what became of it (RFC 9623 §4.3).
     *
     * @param candidate the leaf
     * @param startOffset when it started, from the start of establishment; empty when never started
     * @param duration how long it ran; empty when never started or still running
     * @param outcome what became of it
     * @param reason the failure reason of a failed or cancelled attempt
     * @param message the failure message of a failed or cancelled attempt
     * @param earlyData whether data was sent on this leaf before it was ready (0-RTT, M-45)
     */
    public record Attempt(Candidate candidate, Optional<Duration> startOffset, Optional<Duration> duration,
            Outcome outcome, Optional<ErrorReason> reason, Optional<String> message, boolean earlyData) {
        /** Rejects nulls. */
        public Attempt {
            Objects.requireNonNull(candidate, "candidate");
            Objects.requireNonNull(startOffset, "startOffset");
            Objects.requireNonNull(duration, "duration");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder();
            out.append(outcome);
            startOffset.ifPresent(start -> out.append(" start +").append(start.toMillis()).append(" ms"));
            duration.ifPresent(d -> out.append(" took ").append(d.toMillis()).append(" ms"));
            out.append(": ").append(candidate.describe());
            if (message.isPresent()) {
                out.append(" -- ").append(message.get());
            } else {
                reason.ifPresent(r -> out.append(" -- ").append(r.rfcName()));
            }
            if (earlyData) {
                out.append(" (early data sent)");
            }
            return out.toString();
        }
    }
}

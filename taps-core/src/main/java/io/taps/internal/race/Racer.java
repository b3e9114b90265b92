package io.taps.internal.race;

import io.taps.ErrorReason;
import io.taps.monitor.EstablishmentReport;
import io.taps.RacingConfig;
import io.taps.TransportServicesException;
import io.taps.internal.gather.Leaf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.Optional;

/**
 * The racing engine (RFC 9623 §4.3, RFC 8305 §5, HEv3 "Connection Attempts"; design.md Q-2):
 * staggered attempts over the leaves of the candidate tree in race order.
 *
 * <ul>
 *   <li>The first leaf starts as soon as there is one. Each further leaf starts one delay after
 *       the previous start: {@link RacingConfig#pathDelay()} when the two leaves differ in path,
 *       else {@link RacingConfig#protocolDelay()} when they differ in stack, else
 *       {@link RacingConfig#connectionAttemptDelay()} (all clamped); when one of them goes
 *       through a proxy and the other does not, or through another proxy, the proxy configuration's
 *       delay ({@code ProxyConfig.delay()}).</li>
 *   <li>When an attempt fails, the next leaf starts at once.</li>
 *   <li>A failover leaf (the cleartext branch of opportunistic security) starts only once no
 *       other kind of attempt runs: never on a stagger timer while one does.</li>
 *   <li>Leaves may arrive late (a slow AAAA answer, HEv3): {@link #offer} replaces the order of the
 *       leaves not yet started.</li>
 *   <li>The first attempt whose whole stack is ready wins; every other running attempt is
 *       cancelled. At most {@link RacingConfig#maxLeaves()} attempts start.</li>
 *   <li>The timeout cancels everything and fails with Timeout carrying every cause so far; when
 *       every leaf failed and no more can come, one EstablishmentError carries every cause (M-26).</li>
 * </ul>
 *
 * <p>Not thread-safe: every method and callback runs on the thread of the {@link RaceClock} (the
 * connection's event loop). Nothing blocks.
 *
 * <p>The leaves not started and their report lines are {@link PendingLeaves}, the causes and the
 * final error {@link RaceFailures}. Longer than 500 lines because the race loop and its report read
 * the same attempt records at every change (each line made once, so a race costs linear work in
 * its leaves, issue 21); apart, the records would be handed over per report.
 *
 * @param <H> the running attempt type of the {@link AttemptStarter}
 */
public final class Racer<H extends AttemptStarter.Running> {
    /** What the owner of a race learns. */
    public interface Listener<H> {
        /** {@code leaf} won; its attempt is now the owner's. */
        void won(Leaf leaf, H attempt);

        /** The race failed; every attempt has ended. */
        void failed(TransportServicesException error);

        /** Something the report shows changed (an attempt started or ended). */
        default void changed() {
        }
    }

    /** One started attempt. */
    private final class Record implements AttemptStarter.Callbacks {
        final Leaf leaf;
        final long startNanos;
        long endNanos = -1;
        EstablishmentReport.Outcome outcome = EstablishmentReport.Outcome.RUNNING;
        Throwable cause;
        H handle;
        boolean starting = true;
        boolean succeededWhileStarting;
        /** The report's line for this attempt once it ended: it no longer changes, so it is made once. */
        private EstablishmentReport.Attempt ended;
        /** The report's line while it runs (kept until its early-data flag changes) and its start offset. */
        private EstablishmentReport.Attempt runningLine;
        private Optional<Duration> startOffset;
        /** The report's view of the leaf: its not-started line's, taken at the start by index, not by hashing the leaf. */
        private final EstablishmentReport.Candidate candidate;

        Record(Leaf leaf, EstablishmentReport.Candidate candidate, long startNanos) {
            this.leaf = leaf;
            this.candidate = candidate;
            this.startNanos = startNanos;
        }

        EstablishmentReport.Candidate candidate() {
            return candidate;
        }

        @Override
        public void succeeded() {
            if (starting) {
                succeededWhileStarting = true;
                return;
            }
            onSuccess(this);
        }

        @Override
        public void failed(Throwable failure) {
            onFailure(this, failure);
        }
    }

    private final RaceClock clock;
    private final AttemptStarter<H> starter;
    private final RacingConfig config;
    private final Listener<H> listener;
    /** What is being established, for error messages: built only when a race fails. */
    private final java.util.function.Supplier<String> target;
    private final java.util.function.Predicate<Leaf> failover;
    private final List<Record> records = new ArrayList<>();
    private final List<Record> running = new ArrayList<>();
    private final RaceFailures failures = new RaceFailures();
    private final PendingLeaves pending = new PendingLeaves();
    /**
     * Report views made (one per not-started line), leaves looked at by {@link #offer} and report
     * lines made: linear in the leaves, however often the report is read.
     */
    long candidatesMade;
    long leavesOffered;
    long linesMade;
    /**
     * The stagger timer, armed to fire at {@link #timerDue}; the next leaf is due at
     * {@link #startDue} (-1: none waits on the stagger). A timer that would fire at or before a new
     * due time stays armed and, firing early, re-arms for the rest: a race through refused
     * candidates (each start pushes the due time one delay later, each failure starts the next
     * leaf at once) schedules one timer, not a schedule and a cancel per attempt (issue 21,
     * figure 13).
     */
    private RaceClock.Timer nextStart;
    private long timerDue;
    private long startDue = -1;
    private RaceClock.Timer deadline;
    private long originNanos;
    private long endNanos = -1;
    private Duration timeout;
    private Record winner;
    private boolean moreLeavesMayCome = true;
    private boolean started;
    private boolean finished;

    /**
     * @param target what is being established, for error messages
     */
    public Racer(RaceClock clock, AttemptStarter<H> starter, RacingConfig config, String target,
            Listener<H> listener) {
        this(clock, starter, config, target, leaf -> false, listener);
    }

    /**
     * @param target what is being established, for error messages
     * @param failover the leaves that start only once every other started attempt has failed
     */
    public Racer(RaceClock clock, AttemptStarter<H> starter, RacingConfig config, String target,
            java.util.function.Predicate<Leaf> failover, Listener<H> listener) {
        this(clock, starter, config, () -> target, failover, listener);
    }

    /**
     * @param target what is being established, for error messages; asked only when the race fails,
     *     so that a race that wins formats no endpoint names
     * @param failover the leaves that start only once every other started attempt has failed
     */
    public Racer(RaceClock clock, AttemptStarter<H> starter, RacingConfig config,
            java.util.function.Supplier<String> target, java.util.function.Predicate<Leaf> failover,
            Listener<H> listener) {
        this.failover = Objects.requireNonNull(failover, "failover");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.starter = Objects.requireNonNull(starter, "starter");
        this.config = Objects.requireNonNull(config, "config");
        this.target = Objects.requireNonNull(target, "target");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Starts the clock: the timeout runs from now, and start offsets count from now. */
    public void start(Duration timeout) {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        this.timeout = timeout;
        originNanos = clock.nanoTime();
        deadline = clock.schedule(this::timedOut, timeout.toNanos());
    }

    /** The time the race started, on the race clock. */
    public long originNanos() {
        return originNanos;
    }

    /**
     * The current race order of every leaf; those already started are skipped. Starts the first at
     * once when nothing is running.
     */
    public void offer(List<Leaf> leaves) {
        offer(leaves, null);
    }

    /**
     * {@link #offer(List)} with each leaf's not-started report line, index for index (a shared
     * tree's, {@code CandidateTree.notStartedLines()}), so that the race makes none of its own.
     */
    public void offer(List<Leaf> leaves, List<EstablishmentReport.Attempt> notStartedLines) {
        if (finished) {
            return;
        }
        leavesOffered += leaves.size();
        long made = pending.replace(leaves, notStartedLines, startedLeaves());
        candidatesMade += made;
        linesMade += made;
        rearm();
    }

    /** A failure outside any attempt (e.g. a name that did not resolve); it joins the causes. */
    public void addFailure(Throwable cause) {
        if (!finished) {
            failures.add(cause);
        }
    }

    /** No more leaves will be offered; the race fails once every started attempt failed. */
    public void noMoreLeaves() {
        moreLeavesMayCome = false;
        if (!finished && running.isEmpty() && pendingCount() == 0) {
            fail(null);
        }
    }

    /** Stops the race and cancels every attempt (the application closed or aborted). */
    public void cancel() {
        if (finished) {
            return;
        }
        finish();
        cancelRunning(ErrorReason.ESTABLISHMENT_FAILED, "establishment cancelled by the application");
        listener.changed();
    }

    public boolean finished() {
        return finished;
    }

    /** The winning leaf, once there is one. */
    public Optional<Leaf> winner() {
        return winner == null ? Optional.empty() : Optional.of(winner.leaf);
    }

    /** The winning leaf as reports show it, or null while there is none. */
    public EstablishmentReport.Candidate winnerCandidate() {
        return winner == null ? null : winner.candidate();
    }

    /** Elapsed time from the start to the end of the race, or to now while it runs. */
    public Duration elapsed() {
        long end = endNanos >= 0 ? endNanos : clock.nanoTime();
        return Duration.ofNanos(Math.max(0, end - originNanos));
    }

    /** What {@link #forEachStarted} tells about one started attempt. */
    @FunctionalInterface
    public interface StartedAttempt {
        /**
         * @param leaf the attempt's leaf
         * @param outcome its outcome so far
         * @param durationNanos from its start to its end, or -1 while it runs
         */
        void accept(Leaf leaf, EstablishmentReport.Outcome outcome, long durationNanos);
    }

    /**
     * Every started attempt in start order, without building report entries: what the performance
     * cache learns once the race is decided.
     */
    public void forEachStarted(StartedAttempt visitor) {
        for (Record r : records) {
            visitor.accept(r.leaf, r.outcome, r.endNanos < 0 ? -1 : r.endNanos - r.startNanos);
        }
    }

    /**
     * Started attempts in start order, then the leaves never started. Every line is made once and
     * copied: a not-started leaf's, a running attempt's (again only when its early-data flag
     * changes) and an ended attempt's, so reading the report after every change costs a copy of
     * references, not a line per leaf or per running attempt (issue 21, figure 13).
     */
    public List<EstablishmentReport.Attempt> report() {
        int started = records.size();
        EstablishmentReport.Attempt[] out = new EstablishmentReport.Attempt[started + pendingCount()];
        for (int i = 0; i < started; i++) {
            Record r = records.get(i);
            if (r.ended != null) {
                out[i] = r.ended;
                continue;
            }
            if (r.startOffset == null) {
                r.startOffset = Optional.of(Duration.ofNanos(r.startNanos - originNanos));
            }
            boolean early = r.handle != null && r.handle.sentEarlyData();
            if (r.outcome == EstablishmentReport.Outcome.RUNNING) {
                // Unchanged while it runs, but for early data: one line, not one per report (per
                // failure of another attempt, in a race through refused candidates).
                if (r.runningLine == null || r.runningLine.earlyData() != early) {
                    r.runningLine = new EstablishmentReport.Attempt(r.candidate(), r.startOffset, Optional.empty(),
                            r.outcome, Optional.empty(), Optional.empty(), early);
                    linesMade++;
                }
                out[i] = r.runningLine;
                continue;
            }
            Optional<Duration> duration = r.endNanos < 0 ? Optional.empty()
                    : Optional.of(Duration.ofNanos(r.endNanos - r.startNanos));
            Optional<ErrorReason> reason = Optional.empty();
            Optional<String> message = Optional.empty();
            if (r.cause != null) {
                reason = Optional.of(RaceFailures.reasonOf(r.cause));
                message = Optional.ofNullable(r.cause.getMessage());
            }
            EstablishmentReport.Attempt line = new EstablishmentReport.Attempt(r.candidate(), r.startOffset, duration,
                    r.outcome, reason, message, early);
            linesMade++;
            if (r.endNanos >= 0 && !r.starting) {
                r.ended = line;
                r.runningLine = null;
            }
            out[i] = line;
        }
        pending.copyLines(out, started);
        // Immutable already: the report's List.copyOf keeps it instead of copying the array twice
        // more (toArray, then List.of), per publish, i.e. per refused leaf (issue 21, figure 13).
        return List.of(out);
    }

    /** The leaves started so far, for a later offer to skip; none at the first. */
    private Set<Leaf> startedLeaves() {
        if (records.isEmpty()) {
            return Set.of();
        }
        Set<Leaf> started = new HashSet<>();
        for (Record r : records) {
            started.add(r.leaf);
        }
        return started;
    }

    private int pendingCount() {
        return pending.count();
    }

    // ------------------------------------------------------------------ the loop

    /** Whether an attempt that is not a failover runs: failover leaves wait for it to fail. */
    private boolean primaryRunning() {
        for (Record r : running) {
            if (!failover.test(r.leaf)) {
                return true;
            }
        }
        return false;
    }

    /** (Re)schedules the next start: now when nothing runs, else one delay after the last start. */
    private void rearm() {
        startDue = -1;
        if (finished) {
            cancelStagger();
            return;
        }
        if (records.size() >= config.maxLeaves()) {
            pending.clear();
            // No leaf can start any more, so late leaves would be dropped: once the started ones
            // have failed the race must fail now, not wait for noMoreLeaves (or the timeout).
            moreLeavesMayCome = false;
        }
        if (pendingCount() == 0) {
            if (running.isEmpty() && !moreLeavesMayCome) {
                fail(null);
            }
            return;
        }
        if (running.isEmpty()) {
            startNext();
            return;
        }
        if (failover.test(pending.peek()) && primaryRunning()) {
            return; // started by onFailure once the last primary attempt failed
        }
        Record last = records.get(records.size() - 1);
        long due = last.startNanos + delay(last.leaf, pending.peek()).toNanos();
        startDue = due;
        if (nextStart != null && timerDue <= due) {
            return; // fires first, then waits out the rest
        }
        cancelStagger();
        armStagger(due);
    }

    private void armStagger(long due) {
        timerDue = due;
        nextStart = clock.schedule(this::staggerElapsed, Math.max(0, due - clock.nanoTime()));
    }

    private void staggerElapsed() {
        nextStart = null;
        if (finished || startDue < 0) {
            return;
        }
        if (clock.nanoTime() < startDue) {
            armStagger(startDue);
            return;
        }
        startDue = -1;
        startNext();
    }

    private void cancelStagger() {
        if (nextStart != null) {
            nextStart.cancel();
            nextStart = null;
        }
    }

    private void startNext() {
        if (finished || pendingCount() == 0) {
            rearm();
            return;
        }
        Leaf leaf = pending.peek();
        Record record = new Record(leaf, pending.peekCandidate(), clock.nanoTime());
        pending.take();
        records.add(record);
        running.add(record);
        H handle;
        try {
            handle = starter.start(leaf, record);
        } catch (RuntimeException e) {
            record.starting = false;
            onFailure(record, e);
            return;
        }
        record.handle = handle;
        record.starting = false;
        listener.changed();
        if (record.succeededWhileStarting) {
            onSuccess(record);
            return;
        }
        if (record.outcome == EstablishmentReport.Outcome.RUNNING) {
            rearm();
        }
    }

    /** The stagger before {@code next} after {@code previous} started (RFC 9623 §4.3, Q-2). */
    Duration delay(Leaf previous, Leaf next) {
        if (!previous.path().equals(next.path())) {
            return config.pathDelay();
        }
        if (!Objects.equals(previous.proxy(), next.proxy())) {
            // A proxy branch and the next branch (another proxy, or direct): the proxy configuration's stagger.
            return (previous.proxy() != null ? previous.proxy() : next.proxy()).delay();
        }
        if (previous.stack() != next.stack() || !previous.alpn().equals(next.alpn())) {
            return config.protocolDelay();
        }
        return config.connectionAttemptDelay();
    }

    private void onFailure(Record record, Throwable failure) {
        if (finished || record.outcome != EstablishmentReport.Outcome.RUNNING) {
            return;
        }
        record.outcome = EstablishmentReport.Outcome.FAILED;
        record.cause = failures.add(failure);
        record.endNanos = clock.nanoTime();
        running.remove(record);
        listener.changed();
        if (record.starting) {
            // Reported before start() returned: startNext goes on from here.
            record.starting = false;
        }
        // The next attempt starts at once when one fails (RFC 8305 §5); the stagger timer stays
        // armed (see nextStart): the start pushes the next due time later than it fires.
        startDue = -1;
        if (pendingCount() > 0 && records.size() < config.maxLeaves()
                && (!failover.test(pending.peek()) || !primaryRunning())) {
            startNext();
        } else {
            rearm();
        }
    }

    private void onSuccess(Record record) {
        if (finished || record.outcome != EstablishmentReport.Outcome.RUNNING) {
            if (record.handle != null) {
                record.handle.cancel();
            }
            return;
        }
        record.outcome = EstablishmentReport.Outcome.SUCCEEDED;
        record.endNanos = clock.nanoTime();
        running.remove(record);
        winner = record;
        finish();
        if (!running.isEmpty()) {
            cancelRunning(ErrorReason.ESTABLISHMENT_FAILED, "another candidate won: " + record.candidate().describe());
        }
        listener.changed();
        listener.won(record.leaf, record.handle);
    }

    private void timedOut() {
        deadline = null;
        if (finished) {
            return;
        }
        TransportServicesException expired = new TransportServicesException(ErrorReason.TIMEOUT,
                "no candidate became ready within " + timeout.toMillis() + " ms");
        failures.add(expired);
        fail(expired);
    }

    private void fail(Throwable decisive) {
        if (finished) {
            return;
        }
        finish();
        cancelRunning(decisive instanceof TransportServicesException t ? t.reason() : ErrorReason.ESTABLISHMENT_FAILED,
                decisive == null ? "establishment failed" : decisive.getMessage());
        listener.changed();
        listener.failed(failures.summarize(decisive, target));
    }

    private void finish() {
        finished = true;
        endNanos = clock.nanoTime();
        startDue = -1;
        cancelStagger();
        if (deadline != null) {
            deadline.cancel();
            deadline = null;
        }
    }

    /** Marks every running attempt CANCELLED first, so its own cancellation callback is ignored. */
    private void cancelRunning(ErrorReason reason, String why) {
        List<Record> losers = new ArrayList<>(running);
        running.clear();
        for (Record r : losers) {
            r.outcome = EstablishmentReport.Outcome.CANCELLED;
            r.endNanos = clock.nanoTime();
            r.cause = new TransportServicesException(reason, "cancelled: " + why);
        }
        for (Record r : losers) {
            if (r.handle != null) {
                r.handle.cancel();
            }
        }
    }
}

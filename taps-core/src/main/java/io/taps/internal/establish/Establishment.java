package io.taps.internal.establish;

import io.netty.channel.EventLoop;
import io.taps.monitor.EstablishmentReport;
import io.taps.RacingConfig;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.cache.CacheScope;
import io.taps.internal.cache.PerformanceCache;
import io.taps.internal.gather.CandidateTree;
import io.taps.internal.gather.CandidateTreeMemo;
import io.taps.internal.gather.Leaf;
import io.taps.internal.gather.LocalPath;
import io.taps.internal.gather.PathGatherer;
import io.taps.internal.race.AttemptStarter;
import io.taps.internal.race.EventLoopRaceClock;
import io.taps.internal.race.RaceClock;
import io.taps.internal.race.Racer;
import io.taps.internal.resolve.EndpointResolver;
import io.taps.internal.resolve.ServiceBinding;
import io.taps.internal.stack.ChannelCloneSupport;
import io.taps.internal.conn.Link;
import io.taps.internal.group.CloneSupport;
import io.taps.internal.stack.StackEnvironment;
import io.taps.internal.stack.TapsAttempt;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackUse;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Establishes one actively opened Connection (RFC 9623 §4; design.md Q-2): gathers the candidate
 * tree (paths from the LocalEndpoints and the {@code interface} property, the stacks selection
 * allows equally, the resolved remote addresses) and races its leaves with {@link Racer}.
 *
 * <p>Resolution follows Happy Eyeballs v3: AAAA and A are asked separately. Racing starts when AAAA
 * answers, or when A answers and AAAA has not answered within the resolution delay; addresses
 * answered later join the race. A name neither family resolves adds a ResolutionFailed cause.
 * The HTTPS record (RFC 9460) is asked beside them and awaited at most one resolution delay once
 * addresses could race; a record moves the stacks it names first, to its port and hints
 * ({@link ServiceBindingPlan}); without one nothing changes.
 *
 * <p>Cached state (RFC 9623 §9, Q-18) comes from the {@link CacheScope}: its performance cache
 * orders the addresses and learns every attempt's outcome once the race is decided (one update per
 * attempt; a race the application cancels teaches nothing), its TLS contexts hold the sessions to
 * resume, and an isolated scope resolves without the DNS cache. When AAAA answers first with only
 * addresses the cache ranks last, the race waits for A up to the resolution delay instead of
 * starting on an address known not to answer.
 *
 * <p>Every attempt is started by its stack through the protocol SPI ({@link ProtocolStack#connect});
 * only the winner is bound to the Connection, the others are cancelled. Nothing here depends on
 * which stacks race: what a stack adds (its own clone support, early data) comes with its attempt.
 * Everything runs on the connection's event loop; nothing blocks.
 *
 * <p>Longer than 500 lines because resolution (HEv3, per family, with its delays), the proxy
 * branches ({@link ProxyGathering} holds their own part) and the race share the state of one
 * establishment on its loop; split, each part would have to be handed all of it.
 */
public final class Establishment {
    private final TapsConnection connection;
    private final PreconnectionSpec spec;
    private final List<ProtocolStack> stacks;
    private final StackUse use;
    private final EndpointResolver resolver;
    private final StackEnvironment environment;
    private final Duration timeout;
    private final RacingConfig racing;
    private final CacheScope scope;
    private final PerformanceCache history;
    private PathGatherer.Interfaces interfaces = PathGatherer.system();
    private final EventLoop loop;
    private final RaceClock clock;
    private final Racer<ChannelAttempt> racer;
    private final List<RemoteState> remotes = new ArrayList<>();
    private final List<EstablishmentReport.Resolution> resolutions = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private List<LocalPath> paths = List.of();
    private io.taps.Message earlyData;
    private CandidateTree tree;
    /** When the race started on the wall clock: the report's offset zero (set on the loop in start). */
    private java.time.Instant startedAt;
    /** The proxy branches (RFC 9623 §4.1.2), or null when the Connection goes direct only. */
    private ProxyGathering proxies;
    /** Per RemoteEndpoint, what configuration answers (null: resolve), or null; the snapshot's last tree. */
    private List<EndpointResolver.FixedAnswer> fixedAnswers;
    private CandidateTreeMemo trees;
    /** A task on the loop is making changes: the report is published once, when it ends. */
    private boolean batching;
    /** The report changed during the running batch. */
    private boolean unpublished;
    /**
     * What resolution or the proxies answered during the running batch is still to be raced: the
     * tree is rebuilt once, at the batch's end. N literal Remote Endpoints answer in one task, and a
     * rebuild and offer per answer made the race's set-up O(n^2) in the leaves (issue 21 item 4).
     */
    private boolean rebuildPending;

    /** A running attempt of one stack. */
    static final class ChannelAttempt implements AttemptStarter.Running {
        final TapsAttempt attempt;

        ChannelAttempt(TapsAttempt attempt) {
            this.attempt = attempt;
        }

        @Override
        public void cancel() {
            attempt.cancel();
        }

        @Override
        public boolean sentEarlyData() {
            return attempt.wentEarly();
        }
    }

    public Establishment(TapsConnection connection, PreconnectionSpec spec, List<ProtocolStack> stacks,
            EndpointResolver resolver, StackEnvironment environment, Duration timeout, RacingConfig racing,
            CacheScope scope) {
        this.connection = connection;
        this.spec = spec;
        this.stacks = List.copyOf(stacks);
        this.use = spec.use(Role.INITIATE);
        this.resolver = resolver;
        this.environment = environment;
        this.timeout = timeout;
        this.racing = racing;
        this.scope = scope;
        this.history = scope.performance();
        this.loop = connection.eventLoop();
        this.clock = new EventLoopRaceClock(loop);
        // The target names every stack and remote endpoint: formatted only for an error message.
        this.racer = new Racer<>(clock, this::startAttempt, racing, () -> describeStacks() + " to " + spec.remotes(),
                leaf -> StackSelection.failoverOnly(spec, leaf.stack()), new Racer.Listener<>() {
            @Override
            public void won(Leaf leaf, ChannelAttempt attempt) {
                TapsAttempt won = attempt.attempt;
                Link link = won.link();
                // What only the winning flow knows (e.g. whether the peer fell back from MPTCP to TCP).
                List<String> flowNotes = link.establishmentNotes();
                if (!flowNotes.isEmpty()) {
                    notes.addAll(flowNotes);
                    publish();
                }
                // The final report is in place before Ready: a ready handler may read it.
                flush();
                // One read of the transport's RTT serves the performance cache and the transfer report.
                Duration measuredRtt = RttSample.measured(link);
                if (measuredRtt != null) {
                    connection.rttMeasured(measuredRtt);
                }
                learn(link, leaf, measuredRtt);
                // Adopt first, then replay what the handler held: held framed Messages (a framer
                // delivers them before every framer is ready) need the framed link to be received
                // as Messages, and a held close must come after Ready, not before it.
                // Clone (RFC 9622 §7.4, Q-16) reuses this winner's stack, address and security.
                connection.cloneable(cloneSupport(leaf, won), spec.framers());
                if (won.sentEarlyMessage() != null) {
                    connection.sentAsEarlyData(won.sentEarlyMessage());
                }
                connection.establish(link, leaf.stack().capabilities());
                won.handler().bind(connection);
                if (measuredRtt != null) {
                    // A link without its own estimate has nothing to sample later either.
                    LifetimeRtt.start(connection, link, leaf, history);
                }
            }

            @Override
            public void failed(TransportServicesException error) {
                // The final report is in place before EstablishmentError: its handler may read it.
                flush();
                learn(null, null, null);
                connection.failEstablishment(error);
            }

            @Override
            public void changed() {
                publish();
            }
        });
    }

    private String describeStacks() {
        return String.join(" or ", stacks.stream().map(stack -> stack.capabilities().name()).toList());
    }

    /**
     * The InitiateWithSend message, when it may go out as 0-RTT early data (safelyReplayable, not
     * Final; RFC 9622 §9.1.3.4): stacks that can send early data do so. Call before {@link #start}.
     */
    public Establishment earlyData(io.taps.Message message) {
        this.earlyData = message;
        return this;
    }

    /**
     * How the winner's group makes clones (RFC 9622 §7.4, Q-16): the stack's own way when its attempt
     * offers one (a new stream of the same QUIC connection), else a new attempt of the winner's
     * stack to its address with its security, or none for a stack that cannot be cloned.
     */
    private CloneSupport cloneSupport(Leaf leaf, TapsAttempt won) {
        CloneSupport own = won.cloneSupportFor(connection, leaf.toCandidate());
        if (own != null) {
            return own;
        }
        // The clone's TLS context comes from the scope when a clone opens: building one here
        // would cost a context per Connection where maxCachedSessions(0) needs fresh ones.
        return leaf.stack().cloneable() ? new ChannelCloneSupport(leaf, use, scope, environment) : null;
    }

    /**
     * What is kept per Preconnection snapshot: what configuration answers for each RemoteEndpoint
     * of the spec, in its order (null entries: resolve as usual; {@link EndpointResolver#fixedAnswer}),
     * and the last candidate tree its Initiates built. Call before {@link #start()}.
     */
    public Establishment snapshot(List<EndpointResolver.FixedAnswer> answers, CandidateTreeMemo trees) {
        this.fixedAnswers = answers;
        this.trees = java.util.Objects.requireNonNull(trees, "trees");
        return this;
    }

    /** The proxies and their policy (RFC 9623 §4.1.2); null or never called: direct only. Call before start. */
    public Establishment proxies(ProxyGathering gathering) {
        this.proxies = gathering;
        return this;
    }

    /**
     * Where the interfaces for the {@code interface} property come from: by default read from the
     * system at gathering time; the path monitor's snapshot when it runs (design.md Q-20), so that
     * gathering makes no interface system calls on the event loop. Call before {@link #start()}.
     */
    public Establishment interfaces(PathGatherer.Interfaces source) {
        this.interfaces = java.util.Objects.requireNonNull(source, "source");
        return this;
    }

    public void start() {
        loop.execute(() -> {
            if (!connection.onEstablishmentCancel(racer::cancel)) {
                // Closed or aborted before this task ran: nothing to establish.
                return;
            }
            // One report for everything this task changes (the start, and with literals and no
            // LocalEndpoints the whole tree and the first attempt), not one per step.
            batched(() -> {
                racer.start(timeout);
                startedAt = java.time.Instant.now();
                if (!spec.properties().get(Property.PVD).isEmpty()) {
                    notes.add("pvd " + spec.properties().get(Property.PVD) + " not applied: Linux offers no Provisioning"
                            + " Domain API to the JVM (RFC 9622 §6.2.12), so no path was pruned");
                }
                publish();
                if (spec.locals().isEmpty()) {
                    // Nothing to resolve locally: gather now rather than in one more task.
                    gather(List.of(), null);
                    return;
                }
                resolveLocals().whenComplete((locals, failure) -> loop.execute(() -> batched(() -> gather(locals, failure))));
            });
        });
    }

    /** Builds the paths from the resolved LocalEndpoints, then gathers the proxies and remote endpoints. */
    private void gather(List<InetSocketAddress> locals, Throwable failure) {
        if (racer.finished()) {
            return;
        }
        try {
            if (failure != null) {
                throw unwrap(failure);
            }
            paths = PathGatherer.paths(locals, spec.properties().get(Property.INTERFACE), interfaces);
        } catch (Throwable error) {
            racer.addFailure(error);
            racer.noMoreLeaves();
            return;
        }
        // Proxies first, so a proxy given as a literal leads the race as its policy says.
        // When every proxy resolves names and the direct path is not used, the destination
        // is never looked up here (no local DNS query reveals it).
        if (proxies != null) {
            proxies.resolve(resolver, scope.useDnsCache(), this::onLoop, this::rebuild, racer::addFailure);
        }
        if (proxies == null || proxies.needsLocalResolution()) {
            resolveRemotes();
        }
    }

    private CompletableFuture<List<InetSocketAddress>> resolveLocals() {
        List<CompletableFuture<List<InetSocketAddress>>> lookups = new ArrayList<>();
        for (LocalEndpoint local : spec.locals()) {
            lookups.add(resolver.resolve(local).toCompletableFuture());
        }
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<InetSocketAddress> all = new ArrayList<>();
            lookups.forEach(lookup -> lookup.join().forEach(address -> {
                if (!all.contains(address)) {
                    all.add(address);
                }
            }));
            return all;
        });
    }

    // ------------------------------------------------------------------ resolution (HEv3)


    private void resolveRemotes() {
        boolean configured = fixedAnswers != null && !resolver.isClosed();
        List<String> alpn = spec.security().alpn();
        for (int i = 0; i < spec.remotes().size(); i++) {
            EndpointResolver.FixedAnswer fixed = configured ? fixedAnswers.get(i) : null;
            remotes.add(new RemoteState(spec.remotes().get(i), alpn, fixed));
        }
        for (int i = 0; i < remotes.size(); i++) {
            RemoteState state = remotes.get(i);
            EndpointResolver.FixedAnswer fixed = configured ? fixedAnswers.get(i) : null;
            if (fixed != null) {
                answered(state, fixed);
                continue;
            }
            if (state.remote.hostName().isEmpty()) {
                resolver.resolve(state.remote, null, scope.useDnsCache()).whenComplete((addresses, failure) -> onLoop(() -> {
                    state.v6Done = true;
                    state.v4Done = true;
                    state.v4Released = true;
                    if (failure != null) {
                        state.v6Failure = unwrap(failure);
                    } else {
                        state.v6.addAll(addresses);
                    }
                    resolutionChanged(state);
                }));
                continue;
            }
            String name = state.remote.hostName().get();
            long origin = racer.originNanos();
            Duration queried = Duration.ofNanos(clock.nanoTime() - origin);
            lookUpServices(state, origin, queried);
            resolver.resolve(state.remote, StandardProtocolFamily.INET6, scope.useDnsCache()).whenComplete((addresses, failure) -> onLoop(() -> {
                record(name, "AAAA", addresses, failure, origin, queried);
                state.v6Done = true;
                if (failure != null) {
                    state.v6Failure = unwrap(failure);
                } else {
                    state.v6.addAll(addresses);
                }
                if (state.v4Done) {
                    release(state);
                } else if (allAvoided(state.v6)) {
                    // Every IPv6 address went unanswered or failed last time: starting on one would
                    // cost a whole attempt delay, so A gets the resolution delay to answer first.
                    state.v6Held = true;
                    state.v6HoldDelay = clock.schedule(() -> {
                        state.v6HoldDelay = null;
                        state.v6Held = false;
                        resolutionChanged(state);
                    }, racing.resolutionDelay().toNanos());
                }
                resolutionChanged(state);
            }));
            resolver.resolve(state.remote, StandardProtocolFamily.INET, scope.useDnsCache()).whenComplete((addresses, failure) -> onLoop(() -> {
                record(name, "A", addresses, failure, origin, queried);
                state.v4Done = true;
                unholdV6(state);
                if (failure != null) {
                    state.v4Failure = unwrap(failure);
                } else {
                    state.v4.addAll(addresses);
                }
                if (state.v6Done || state.v4.isEmpty()) {
                    release(state);
                } else {
                    // HEv3 Resolution Delay: give AAAA a moment before racing IPv4 alone.
                    state.resolutionDelay = clock.schedule(() -> {
                        state.resolutionDelay = null;
                        release(state);
                        resolutionChanged(state);
                    }, racing.resolutionDelay().toNanos());
                }
                resolutionChanged(state);
            }));
        }
    }

    /**
     * What the resolver's completed answers would do, in the same task and order, without asking
     * it: a literal counts as both families answered; a configured name records its AAAA and A
     * answers in the report and releases both at once (A answered in the same task, so neither the
     * resolution delay nor an IPv6 hold applies). Nothing asks the HTTPS record of such a name.
     */
    private void answered(RemoteState state, EndpointResolver.FixedAnswer fixed) {
        state.fixed = fixed;
        state.v6Done = true;
        state.v4Done = true;
        state.v4Released = true;
        state.v6.addAll(fixed.v6());
        state.v4.addAll(fixed.v4());
        if (fixed.name() != null) {
            long origin = racer.originNanos();
            Duration queried = Duration.ofNanos(clock.nanoTime() - origin);
            record(fixed.name(), "AAAA", fixed.v6(), null, origin, queried);
            record(fixed.name(), "A", fixed.v4(), null, origin, queried);
        }
        resolutionChanged(state);
    }

    /**
     * Asks the HTTPS record beside AAAA and A (draft-ietf-happy-happyeyeballs-v3). An answer with
     * no record leaves the report as it was without one; a record is reported with its ECH config.
     */
    private void lookUpServices(RemoteState state, long origin, Duration queried) {
        state.servicesPending = true;
        resolver.serviceBinding(state.remote, scope.useDnsCache()).whenComplete((lookup, failure) -> onLoop(() -> {
            state.servicesPending = false;
            if (state.servicesHold != null) {
                state.servicesHold.cancel();
                state.servicesHold = null;
            }
            if (racer.finished()) {
                return; // the report is final: a late answer must not change it
            }
            if (lookup == null || lookup.answers() == 0) {
                resolutionChanged(state);
                return;
            }
            resolutions.add(new EstablishmentReport.Resolution(lookup.queriedName(), "HTTPS", lookup.answers(),
                    Duration.ofNanos(clock.nanoTime() - origin), null, queried));
            lookup.skipped().forEach(reason -> notes.add("HTTPS record " + lookup.queriedName() + ": " + reason));
            if (lookup.binding() != null) {
                if (state.servicesWaitedOut) {
                    notes.add("HTTPS record " + lookup.queriedName() + " (" + lookup.binding().describe()
                            + ") arrived after the race had started without it; not used");
                } else {
                    state.binding = lookup.binding();
                    notes.add(ServiceBindingPlan.note(lookup.queriedName(), state.binding, stacks,
                            spec.security().alpn()));
                }
            }
            resolutionChanged(state);
        }));
    }

    /**
     * Once addresses could be raced (or both families have ended), waits at most one resolution
     * delay for the HTTPS answer: it must never hold the race longer than that.
     */
    private void holdForServices(RemoteState state) {
        if (!state.heldForServices() || state.servicesHold != null) {
            return;
        }
        if (state.usable().isEmpty() && !(state.v6Done && state.v4Done)) {
            return;
        }
        state.servicesHold = clock.schedule(() -> {
            state.servicesHold = null;
            state.servicesWaitedOut = true;
            resolutionChanged(state);
        }, racing.resolutionDelay().toNanos());
    }

    private void unholdV6(RemoteState state) {
        state.v6Held = false;
        if (state.v6HoldDelay != null) {
            state.v6HoldDelay.cancel();
            state.v6HoldDelay = null;
        }
    }

    /** Whether the performance cache ranks every one of {@code addresses} last on every path. */
    private boolean allAvoided(List<InetSocketAddress> addresses) {
        if (addresses.isEmpty() || paths.isEmpty()) {
            return false;
        }
        for (InetSocketAddress address : addresses) {
            for (LocalPath path : paths) {
                if (path.matches(address) && !history.avoided(address, path)) {
                    return false;
                }
            }
        }
        return true;
    }

    private void release(RemoteState state) {
        state.v4Released = true;
        if (state.resolutionDelay != null) {
            state.resolutionDelay.cancel();
            state.resolutionDelay = null;
        }
    }

    private void record(String name, String family, List<InetSocketAddress> addresses, Throwable failure,
            long origin, Duration queried) {
        if (racer.finished()) {
            // The final report is published: an answer after the race was decided changes
            // nothing it shows, so it is not recorded either.
            return;
        }
        resolutions.add(new EstablishmentReport.Resolution(name, family, addresses == null ? 0 : addresses.size(),
                Duration.ofNanos(clock.nanoTime() - origin), failure == null ? null : unwrap(failure).getMessage(),
                queried));
    }

    private void resolutionChanged(RemoteState changed) {
        if (racer.finished()) {
            return;
        }
        if (changed.v6Done && changed.v4Done && changed.v6.isEmpty() && changed.v4.isEmpty()) {
            racer.addFailure(changed.resolutionFailure());
        }
        rebuild();
    }

    /**
     * Rebuilds the tree from what resolution (and the proxies) answered so far and offers its
     * leaves: at the end of the running loop task when there is one, so that the answers one task
     * brings (a hosts-file or {@code localhost} name answers the HTTPS query, AAAA and A at once)
     * build one tree instead of one per answer; at once from a timer.
     */
    private void rebuild() {
        if (batching) {
            rebuildPending = true;
            return;
        }
        rebuildNow();
    }

    private void rebuildNow() {
        if (racer.finished()) {
            return;
        }
        // What a proxy that does not resolve names needs: the destination's addresses, whatever
        // stack; gathered only when there are proxies.
        List<CandidateTree.Target> resolved = proxies == null ? null : new ArrayList<>();
        boolean allDone = true;
        ServiceBinding first = null;
        for (RemoteState state : remotes) {
            holdForServices(state);
            allDone &= state.done();
            if (first == null && !state.heldForServices()) {
                first = state.binding;
            }
            if (resolved != null && !state.heldForServices()) {
                resolved.add(new CandidateTree.Target(state.peerName, state.usable()));
            }
        }
        tree = trees.build(paths, ServiceBindingPlan.order(stacks, first, spec.security().alpn()),
                spec.security().alpn(), stack -> {
                    List<CandidateTree.Target> targets = new ArrayList<>();
                    for (RemoteState state : remotes) {
                        if (!state.heldForServices()) {
                            targets.add(new CandidateTree.Target(state.peerName, state.usableBy(stack)));
                        }
                    }
                    return targets;
                }, history, racing.maxLeaves(), racing.maxAddressesPerHost());
        if (proxies != null) {
            tree = proxies.apply(tree, spec.remotes(), resolved, racing.maxLeaves());
            // Until the destination's resolution has started, its leaves are still to come.
            allDone &= proxies.done() && (!proxies.needsLocalResolution() || !remotes.isEmpty());
        }
        racer.offer(tree.leaves(), tree.notStartedLines());
        if (allDone) {
            racer.noMoreLeaves();
        }
        publish();
    }


    // ------------------------------------------------------------------ attempts

    private ChannelAttempt startAttempt(Leaf leaf, AttemptStarter.Callbacks callbacks) {
        TapsAttempt attempt = new TapsAttempt(leaf.stack(), loop, leaf.remote(), leaf.path().bindAddress(),
                leaf.peerName(), use, timeout, spec.framers(), earlyData, scope, environment)
                .throughProxy(leaf.proxy()).start();
        ChannelAttempt running = new ChannelAttempt(attempt);
        whenDone(attempt.outcome(), failure -> onLoop(() -> {
            if (failure != null) {
                callbacks.failed(failure);
            } else {
                callbacks.succeeded();
            }
        }));
        return running;
    }

    /**
     * Runs {@code action} with the failure of {@code outcome}, or null, once it completes. Not
     * {@code whenComplete}: its stage completes with the failure wrapped in a new
     * CompletionException, a stack trace filled for nothing per failed attempt (3% of the event
     * loop's time in a race through refused candidates, issue 21 figure 13); this stage completes
     * normally.
     */
    static CompletableFuture<Void> whenDone(CompletableFuture<?> outcome, java.util.function.Consumer<Throwable> action) {
        return outcome.handle((ignored, failure) -> {
            action.accept(failure);
            return null;
        });
    }

    /**
     * Teaches the performance cache every started attempt's outcome, once the race is decided: a
     * success with its establishment time (and the winner's RTT), a failure, or an attempt that was
     * cancelled after going unanswered for at least one connection attempt delay.
     */
    private void learn(Link winner, Leaf winningLeaf, Duration winnerRtt) {
        long unanswered = racing.connectionAttemptDelay().toNanos();
        racer.forEachStarted((leaf, outcome, durationNanos) -> {
            if (leaf.proxy() != null) {
                // A tunnel's outcome says nothing about the direct path to the destination.
                return;
            }
            long nanos = Math.max(0, durationNanos);
            switch (outcome) {
                case SUCCEEDED:
                    Duration duration = Duration.ofNanos(nanos);
                    history.succeeded(leaf, duration, winner == null || !leaf.equals(winningLeaf) ? null
                            : RttSample.of(winnerRtt, leaf.stack().capabilities(), duration));
                    break;
                case FAILED:
                    history.failed(leaf);
                    break;
                case CANCELLED:
                    if (nanos >= unanswered) {
                        history.unanswered(leaf);
                    }
                    break;
                default:
                    break;
            }
        });
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            batched(task);
        } else {
            loop.execute(() -> batched(task));
        }
    }

    /**
     * Runs {@code task} publishing the report at most once, at its end, however many changes it
     * makes (a resolution answer rebuilds the tree, offers it and starts an attempt: one report,
     * not three). Nothing reads the report between the changes of one task on the loop.
     */
    private void batched(Runnable task) {
        if (batching) {
            task.run();
            return;
        }
        batching = true;
        try {
            task.run();
            while (rebuildPending) {
                rebuildPending = false;
                rebuildNow(); // still batching: its own changes are published once, below
            }
        } finally {
            batching = false;
            rebuildPending = false;
            if (unpublished) {
                publish();
            }
        }
    }

    /** Hands the report so far to the Connection (at the end of the running batch, when there is one). */
    private void publish() {
        if (batching) {
            unpublished = true;
            return;
        }
        publishNow();
    }

    /** Publishes now what the running batch changed, before application code may read it. */
    private void flush() {
        if (unpublished) {
            publishNow();
        }
    }

    private void publishNow() {
        unpublished = false;
        // Built now even for a decided race: a report built on first read would keep the whole
        // establishment (racer, tree, the winner's attempt) reachable from every idle Connection,
        // ~1.6 KB each (ConnectionHeapTest), for a report most Connections never read.
        List<EstablishmentReport.Attempt> attempts = racer.report();
        EstablishmentReport.Candidate winner = racer.winnerCandidate();
        connection.establishmentReport(new EstablishmentReport(tree == null ? List.of() : tree.toReport(),
                resolutions, attempts, winner, notes, racer.finished(), racer.elapsed(), startedAt));
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}

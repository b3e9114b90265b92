package io.taps.internal.establish;

import io.netty.channel.EventLoop;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.resolve.EndpointResolver;
import io.taps.internal.stack.ChannelLink;
import io.taps.internal.stack.StackConnector;
import io.taps.internal.stack.StackKind;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Establishes one actively opened Connection (RFC 9623 §4): resolves the remote endpoints, then
 * tries the chosen stack on each resolved address in turn, starting the next attempt at once when
 * one fails, until one whole stack is ready or the establishment timeout ends.
 *
 * <p>This is the simple, sequential form of candidate racing; the racing engine replaces the
 * attempt loop behind the same entry point. Every attempt has its own channel, and the winner is
 * handed to the Connection on the event loop that owns it.
 */
public final class Establishment {
    private final TapsConnection connection;
    private final PreconnectionSpec spec;
    private final StackKind stack;
    private final EndpointResolver resolver;
    private final StackConnector connector;
    private final Duration timeout;
    private final EventLoop loop;
    private final List<Throwable> failures = new ArrayList<>();
    private final List<Candidate> candidates = new ArrayList<>();
    private StackConnector.Attempt current;
    private ScheduledFuture<?> timer;
    private boolean finished;
    private int next;

    /** One resolved address and the name TLS verifies for it. */
    private record Candidate(InetSocketAddress address, String peerName) {
    }

    public Establishment(TapsConnection connection, PreconnectionSpec spec, StackKind stack,
            EndpointResolver resolver, StackConnector connector, Duration timeout) {
        this.connection = connection;
        this.spec = spec;
        this.stack = stack;
        this.resolver = resolver;
        this.connector = connector;
        this.timeout = timeout;
        this.loop = connection.eventLoop();
    }

    /** Starts establishment; its outcome reaches the Connection as Ready or EstablishmentError. */
    public void start() {
        loop.execute(() -> {
            connection.onEstablishmentCancel(this::cancel);
            timer = loop.schedule(this::timedOut, timeout.toNanos(), TimeUnit.NANOSECONDS);
            resolveAll().whenComplete((resolved, failure) -> loop.execute(() -> {
                if (finished) {
                    return;
                }
                if (failure != null) {
                    fail(unwrap(failure));
                    return;
                }
                candidates.addAll(resolved);
                startNextAttempt();
            }));
        });
    }

    private CompletionStage<List<Candidate>> resolveAll() {
        List<CompletableFuture<List<Candidate>>> lookups = new ArrayList<>();
        for (RemoteEndpoint remote : spec.remotes()) {
            String peerName = remote.hostName()
                    .orElseGet(() -> remote.ipAddress().map(InetAddress::getHostAddress).orElse(null));
            lookups.add(resolver.resolve(remote).toCompletableFuture().thenApply(addresses -> {
                List<Candidate> forRemote = new ArrayList<>();
                for (InetSocketAddress address : addresses) {
                    forRemote.add(new Candidate(address, peerName));
                }
                return forRemote;
            }).exceptionally(failure -> {
                synchronized (failures) {
                    failures.add(unwrap(failure));
                }
                return List.of();
            }));
        }
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Candidate> all = new ArrayList<>();
            lookups.forEach(lookup -> all.addAll(lookup.join()));
            return all;
        });
    }

    private void startNextAttempt() {
        if (finished) {
            return;
        }
        if (next >= candidates.size()) {
            fail(null);
            return;
        }
        Candidate candidate = candidates.get(next++);
        InetSocketAddress local = localAddressFor(candidate.address());
        StackConnector.Attempt attempt = connector.connect(loop, stack, candidate.address(), local,
                candidate.peerName(), spec.security(), spec.properties(), timeout, spec.framers());
        current = attempt;
        attempt.outcome().whenComplete((won, failure) -> {
            if (!loop.inEventLoop()) {
                loop.execute(() -> settle(attempt, won, failure));
            } else {
                settle(attempt, won, failure);
            }
        });
    }

    private void settle(StackConnector.Attempt attempt, StackConnector.Attempt won, Throwable failure) {
        if (finished || attempt != current) {
            if (won != null) {
                attempt.cancel();
            }
            return;
        }
        if (failure != null) {
            failures.add(unwrap(failure));
            startNextAttempt();
            return;
        }
        finished = true;
        timer.cancel(false);
        won.handler().bind(connection);
        connection.establish(new ChannelLink(won.channel(), stack), stack.capabilities());
    }

    private InetSocketAddress localAddressFor(InetSocketAddress remote) {
        for (LocalEndpoint local : spec.locals()) {
            InetAddress address = local.ipAddress().orElse(null);
            if (address == null || address.getClass() == remote.getAddress().getClass()) {
                return address == null ? new InetSocketAddress(local.effectivePort())
                        : new InetSocketAddress(address, local.effectivePort());
            }
        }
        return null;
    }

    private void timedOut() {
        if (finished) {
            return;
        }
        TransportServicesException expired = new TransportServicesException(ErrorReason.TIMEOUT,
                "no candidate became ready within " + timeout.toMillis() + " ms");
        failures.add(expired);
        StackConnector.Attempt running = current;
        // Finish first: cancelling completes the attempt's outcome synchronously on this loop, and
        // that "cancelled" failure must not count as a cause nor turn Timeout into EstablishmentFailed.
        fail(expired);
        if (running != null) {
            running.cancel();
        }
    }

    private void cancel() {
        if (finished) {
            return;
        }
        finished = true;
        if (timer != null) {
            timer.cancel(false);
        }
        if (current != null) {
            current.cancel();
        }
    }

    private void fail(Throwable decisive) {
        if (finished) {
            return;
        }
        finished = true;
        if (timer != null) {
            timer.cancel(false);
        }
        connection.failEstablishment(summarize(decisive));
    }

    /**
     * One EstablishmentError carrying every cause (M-26). Its reason is the causes' common reason
     * when they agree (every address refused, or a certificate problem), EstablishmentFailed
     * otherwise, and Timeout when the deadline ended it.
     */
    private TransportServicesException summarize(Throwable decisive) {
        List<Throwable> all = new ArrayList<>(failures);
        ErrorReason reason;
        if (decisive instanceof TransportServicesException && ((TransportServicesException) decisive).reason() == ErrorReason.TIMEOUT) {
            reason = ErrorReason.TIMEOUT;
        } else {
            reason = commonReason(all);
        }
        String detail = all.isEmpty() ? "no address to try" : all.size() + " attempt(s) failed, first: "
                + all.get(0).getMessage();
        TransportServicesException error = new TransportServicesException(reason,
                "could not establish " + stack.capabilities().name() + " to " + spec.remotes() + ": " + detail,
                all.isEmpty() ? null : all.get(0));
        for (int i = 1; i < all.size(); i++) {
            error.addSuppressed(all.get(i));
        }
        return error;
    }

    private static ErrorReason commonReason(List<Throwable> failures) {
        ErrorReason common = null;
        for (Throwable failure : failures) {
            ErrorReason reason = failure instanceof TransportServicesException
                    ? ((TransportServicesException) failure).reason() : ErrorReason.ESTABLISHMENT_FAILED;
            if (common == null) {
                common = reason;
            } else if (common != reason) {
                return ErrorReason.ESTABLISHMENT_FAILED;
            }
        }
        return common == null ? ErrorReason.ESTABLISHMENT_FAILED : common;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}

package io.taps.internal.resolve;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An {@link EndpointResolver}'s {@link DnsResolvers}, built when first asked for, exactly once
 * whichever threads ask at the same time, on an executor for blocking work (building reads
 * resolv.conf, and the first question may come from an event loop). {@link #close()} releases only
 * what was built: a build still queued when it comes never runs, one still running closes what it
 * made.
 */
final class DnsOnDemand implements AutoCloseable {
    private final Supplier<DnsResolvers> build;
    private final Executor setup;
    /** Null until first asked; then completed by the build, or failed by close, whichever comes first. */
    private volatile CompletableFuture<DnsResolvers> resolvers;
    private boolean closed;
    private final AtomicInteger builds = new AtomicInteger();
    private final AtomicInteger made = new AtomicInteger();

    DnsOnDemand(Supplier<DnsResolvers> build, Executor setup) {
        this.build = build;
        this.setup = setup;
    }

    /** The DNS resolvers, building them on the first call; a stage failed once closed. */
    CompletableFuture<DnsResolvers> get() {
        CompletableFuture<DnsResolvers> current = resolvers;
        if (current != null) {
            return current;
        }
        CompletableFuture<DnsResolvers> building;
        synchronized (this) {
            if (resolvers != null) {
                return resolvers;
            }
            building = new CompletableFuture<>();
            resolvers = building;
            if (closed) {
                building.completeExceptionally(closedFailure());
                return building;
            }
        }
        builds.incrementAndGet();
        try {
            setup.execute(() -> {
                if (building.isDone()) {
                    return; // closed while queued: nothing to build
                }
                try {
                    DnsResolvers built = build.get();
                    made.incrementAndGet();
                    if (!building.complete(built)) {
                        built.close(); // closed while building: release what was just made
                    }
                } catch (RuntimeException | Error failed) {
                    building.completeExceptionally(failed);
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            building.completeExceptionally(shuttingDown);
        }
        return building;
    }

    /** The DNS resolvers when they are built already, else null; asking builds nothing. */
    DnsResolvers ifBuilt() {
        CompletableFuture<DnsResolvers> current = resolvers;
        return current != null && current.isDone() && !current.isCompletedExceptionally() ? current.getNow(null)
                : null;
    }

    /** How many times a build was set out on (0 until the first DNS question, then 1). */
    int builds() {
        return builds.get();
    }

    /** How many sets of DNS resolvers were made (0 when closed before a queued build ran). */
    int made() {
        return made.get();
    }

    private static TransportServicesException closedFailure() {
        return new TransportServicesException(ErrorReason.RESOLUTION_FAILED, "the resolver is closed");
    }

    @Override
    public void close() {
        CompletableFuture<DnsResolvers> current;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            current = resolvers;
        }
        if (current != null && !current.completeExceptionally(closedFailure()) && !current.isCompletedExceptionally()) {
            current.join().close();
        }
    }
}

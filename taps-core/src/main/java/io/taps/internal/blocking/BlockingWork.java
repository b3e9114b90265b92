package io.taps.internal.blocking;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work taps must never do on a Netty event loop (DEVELOPERS.md: "nothing blocks an event
 * loop"): building a TLS context (key material, the trust store), enumerating network interfaces
 * (system calls). Such work runs on a small executor of its own, one per TransportServices
 * ({@link #newExecutor}), and hands its result back to the loop.
 *
 * <p>Every such operation calls {@link #check} first. On an event loop thread the call is
 * recorded and logged once per operation as a warning: it is a bug in taps, and tests assert that
 * {@link #violations()} stays empty while they drive the operations from every entry point.
 */
public final class BlockingWork {
    private static final Logger log = LoggerFactory.getLogger(BlockingWork.class);
    /** Recorded violations are bounded: a test needs the first few, production only the count. */
    private static final int MAX_RECORDED = 64;

    private static final List<String> VIOLATIONS = new ArrayList<>();
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private BlockingWork() {
    }

    /**
     * Records {@code operation} as a violation when the current thread is a Netty event loop; the
     * operation still runs (failing it would turn a latency bug into a connection failure).
     */
    public static void check(String operation) {
        if (!onEventLoop()) {
            return;
        }
        String where = operation + " on event loop thread " + Thread.currentThread().getName();
        synchronized (VIOLATIONS) {
            if (VIOLATIONS.size() < MAX_RECORDED) {
                VIOLATIONS.add(where);
            }
        }
        if (WARNED.add(operation)) {
            log.warn("Blocking work on an event loop (a taps bug, please report it): {}", where,
                    new IllegalStateException(where));
        }
    }

    /** Whether the current thread runs a Netty event loop. */
    public static boolean onEventLoop() {
        EventExecutor current = ThreadExecutorMap.currentExecutor();
        return current instanceof EventLoop;
    }

    /** The blocking operations seen on event loops so far (at most {@value #MAX_RECORDED}). */
    public static List<String> violations() {
        synchronized (VIOLATIONS) {
            return List.copyOf(VIOLATIONS);
        }
    }

    /** Forgets the recorded violations (tests start from a clean record). */
    public static void clearViolations() {
        synchronized (VIOLATIONS) {
            VIOLATIONS.clear();
        }
    }

    /**
     * Runs {@code work} on {@code executor}; a stage failed with the rejection when the executor no
     * longer takes work (its TransportServices is closing), never an exception thrown at the caller.
     */
    public static <T> java.util.concurrent.CompletableFuture<T> supply(java.util.function.Supplier<T> work,
            java.util.concurrent.Executor executor) {
        try {
            return java.util.concurrent.CompletableFuture.supplyAsync(work, executor);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            return java.util.concurrent.CompletableFuture.failedFuture(closing);
        }
    }

    /**
     * A small executor for blocking work: at most two daemon threads named {@code name-N}, which
     * end after ten idle seconds, and an unbounded queue (the work items are few and short: one
     * context build per isolated scope or per session-less attempt, one interface enumeration).
     */
    public static ExecutorService newExecutor(String name) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(2, 2, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}

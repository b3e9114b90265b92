package io.taps.spring.listener;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.DisposableBean;

/**
 * The bounded pool of platform threads ({@code taps-handler-N}) that {@link TapsListener}
 * handlers run on with {@code taps.listener.execution=platform} ({@code taps.listener.pool.*}).
 *
 * <p>At most {@code maxSize} threads run handlers and at most {@code queueCapacity} more tasks wait
 * for one. A task beyond that is not dropped, nor run on the caller (an event loop must never
 * block or run a handler): it is parked and admitted, in arrival order, as soon as a running task
 * ends. Parking holds the Connection's next Message only; its Connection has no Receive
 * outstanding meanwhile ({@link ServedConnection} issues one Receive at a time), so taps stops
 * reading from it once its receive buffer is full and TCP's flow control slows the peer. The
 * parked tasks are therefore bounded by the number of Connections, not by the data sent.
 *
 * <p>Thread-safe; {@link #execute} takes one short lock and never waits.
 */
public final class BoundedHandlerPool implements Executor, DisposableBean {
    private final ThreadPoolExecutor threads;
    private final int capacity;
    private final int maxSize;
    private final int queueCapacity;
    /** Tasks that found the pool and its queue full, oldest first; guarded by itself. */
    private final ArrayDeque<Runnable> parked = new ArrayDeque<>();
    /** Tasks handed to {@link #threads} that have not finished; guarded by {@link #parked}. */
    private int admitted;
    private long parkedTotal;

    /**
     * A pool of up to {@code maxSize} daemon threads named {@code threadNamePrefix1},
     * {@code threadNamePrefix2}, ..., each ending after {@code keepAlive} idle.
     *
     * @throws IllegalArgumentException when {@code maxSize < 1}, {@code queueCapacity < 0} or
     *         {@code keepAlive} is not positive
     */
    public BoundedHandlerPool(int maxSize, int queueCapacity, Duration keepAlive, String threadNamePrefix) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("max-size must be at least 1, not " + maxSize);
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queue-capacity must not be negative, not " + queueCapacity);
        }
        if (keepAlive.isNegative() || keepAlive.isZero()) {
            throw new IllegalArgumentException("keep-alive must be positive, not " + keepAlive);
        }
        this.maxSize = maxSize;
        this.queueCapacity = queueCapacity;
        this.capacity = maxSize + queueCapacity;
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, threadNamePrefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        // core == max: a new thread per task until maxSize, then the queue. The queue itself is
        // unbounded because admission is counted here (admitted <= capacity), which leaves the
        // executor nothing to reject while a worker is between two tasks.
        this.threads = new ThreadPoolExecutor(maxSize, maxSize, keepAlive.toNanos(), TimeUnit.NANOSECONDS,
                new LinkedBlockingQueue<>(), factory);
        this.threads.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs {@code task} on a pool thread, or parks it until one is free when {@code maxSize}
     * tasks run and {@code queueCapacity} wait.
     *
     * @throws java.util.concurrent.RejectedExecutionException after {@link #destroy()}
     */
    @Override
    public void execute(Runnable task) {
        Runnable tracked = () -> {
            try {
                task.run();
            }
            finally {
                finished();
            }
        };
        synchronized (this.parked) {
            if (this.admitted >= this.capacity || !this.parked.isEmpty()) {
                this.parked.addLast(tracked);
                this.parkedTotal++;
                return;
            }
            this.admitted++;
        }
        submit(tracked);
    }

    private void finished() {
        Runnable next;
        synchronized (this.parked) {
            next = this.parked.pollFirst();
            if (next == null) {
                this.admitted--;
                return;
            }
            // The finished task's slot passes to the oldest parked one.
        }
        submit(next);
    }

    private void submit(Runnable tracked) {
        try {
            this.threads.execute(tracked);
        }
        catch (RuntimeException rejected) {
            synchronized (this.parked) {
                this.admitted--;
            }
            throw rejected;
        }
    }

    /** The most threads. */
    public int maxSize() {
        return this.maxSize;
    }

    /** The most tasks waiting for a thread before tasks are parked. */
    public int queueCapacity() {
        return this.queueCapacity;
    }

    /** The threads alive now. */
    public int poolSize() {
        return this.threads.getPoolSize();
    }

    /** The most threads that were ever alive at once; never above {@link #maxSize()}. */
    public int largestPoolSize() {
        return this.threads.getLargestPoolSize();
    }

    /** The threads running a task now. */
    public int activeCount() {
        return this.threads.getActiveCount();
    }

    /**
     * The tasks waiting for a thread now. With every thread busy at most {@link #queueCapacity()};
     * running and waiting tasks together never exceed {@code maxSize + queueCapacity}.
     */
    public int queued() {
        return this.threads.getQueue().size();
    }

    /** The tasks parked now because the pool and its queue were full. */
    public int parked() {
        synchronized (this.parked) {
            return this.parked.size();
        }
    }

    /** How many tasks were parked since the pool was created. */
    public long parkedTotal() {
        synchronized (this.parked) {
            return this.parkedTotal;
        }
    }

    /**
     * Stops the pool with the context: by then the listeners' graceful stop is over, so handlers
     * still running are interrupted rather than waited for, and parked tasks are dropped with
     * their Connections, which the registry aborts.
     */
    @Override
    public void destroy() {
        synchronized (this.parked) {
            this.parked.clear();
        }
        this.threads.shutdownNow();
    }

    @Override
    public String toString() {
        return "BoundedHandlerPool[maxSize=" + this.maxSize + ", queueCapacity=" + this.queueCapacity + ", poolSize="
                + poolSize() + ", queued=" + queued() + ", parked=" + parked() + "]";
    }
}

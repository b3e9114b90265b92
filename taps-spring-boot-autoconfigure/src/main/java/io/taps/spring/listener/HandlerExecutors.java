package io.taps.spring.listener;

import io.taps.spring.boot.autoconfigure.TapsProperties.Execution;
import java.lang.reflect.Method;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;

/**
 * The executors {@link TapsListener} handlers run on ({@code taps.listener.execution}). Virtual
 * threads are looked up at run time, because taps is built for Java 17.
 */
public final class HandlerExecutors {
    private HandlerExecutors() {
    }

    /** Whether this JVM offers virtual threads (JDK 21+). */
    public static boolean virtualThreadsAvailable() {
        return virtualFactory() != null;
    }

    /**
     * The executor for {@code execution}: {@link Execution#EVENT_LOOP} runs inline (in the
     * connection's event). As a bean it is shut down with the context ({@link DisposableBean}):
     * by then the listeners' graceful stop is over, so handlers still running are interrupted
     * rather than waited for (an {@code ExecutorService.close()} would wait without bound).
     *
     * @throws ExecutionModeUnavailableException for {@link Execution#VIRTUAL} on a JVM without virtual threads
     */
    public static Executor create(Execution execution) {
        return new Owned(switch (execution) {
            case EVENT_LOOP -> null;
            case PLATFORM -> platform();
            case VIRTUAL -> {
                ExecutorService virtual = virtual();
                if (virtual == null) {
                    throw new ExecutionModeUnavailableException("virtual", System.getProperty("java.version"));
                }
                yield virtual;
            }
            case AUTO -> {
                ExecutorService virtual = virtual();
                yield virtual != null ? virtual : platform();
            }
        });
    }

    /** An executor that runs inline without a pool, or on a pool it shuts down when destroyed. */
    private static final class Owned implements Executor, DisposableBean {
        private final @Nullable ExecutorService pool;

        Owned(@Nullable ExecutorService pool) {
            this.pool = pool;
        }

        @Override
        public void execute(Runnable task) {
            if (this.pool == null) {
                task.run();
            }
            else {
                this.pool.execute(task);
            }
        }

        @Override
        public void destroy() {
            if (this.pool != null) {
                this.pool.shutdownNow();
            }
        }
    }

    private static ExecutorService platform() {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "taps-handler-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        return Executors.newCachedThreadPool(factory);
    }

    private static @Nullable ExecutorService virtual() {
        Method factory = virtualFactory();
        if (factory == null) {
            return null;
        }
        try {
            return (ExecutorService) factory.invoke(null);
        }
        catch (ReflectiveOperationException ex) {
            return null;
        }
    }

    private static @Nullable Method virtualFactory() {
        try {
            return Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
        }
        catch (NoSuchMethodException ex) {
            return null;
        }
    }
}

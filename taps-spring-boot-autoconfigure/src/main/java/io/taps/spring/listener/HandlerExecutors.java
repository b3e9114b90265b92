package io.taps.spring.listener;

import io.taps.spring.boot.autoconfigure.TapsProperties.Execution;
import io.taps.spring.boot.autoconfigure.TapsProperties.Pool;
import java.lang.reflect.Method;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;

/**
 * The executors {@link TapsListener} handlers run on ({@code taps.listener.execution}): inline on
 * the event loop, the {@link BoundedHandlerPool} of platform threads {@code taps-handler-N}, or a
 * virtual thread per task named {@code taps-handler-vN}. Virtual threads are looked up at run time,
 * because taps is built for Java 17.
 */
public final class HandlerExecutors {
    /** The name prefix of the platform handler threads: {@code taps-handler-1}, {@code taps-handler-2}, ... */
    public static final String PLATFORM_THREAD_PREFIX = "taps-handler-";

    /** The name prefix of the virtual handler threads: {@code taps-handler-v1}, {@code taps-handler-v2}, ... */
    public static final String VIRTUAL_THREAD_PREFIX = "taps-handler-v";

    private HandlerExecutors() {
    }

    /** Whether this JVM offers virtual threads (JDK 21+). */
    public static boolean virtualThreadsAvailable() {
        return virtualThreadFactory() != null;
    }

    /**
     * The execution {@code configured} resolves to: {@link Execution#AUTO} follows Spring Boot's
     * threading ({@code virtualThreadsEnabled} is whether {@code spring.threads.virtual.enabled} is
     * true and the JVM is 21 or later), any other value is taken as configured.
     */
    public static Execution resolve(Execution configured, boolean virtualThreadsEnabled) {
        if (configured != Execution.AUTO) {
            return configured;
        }
        return virtualThreadsEnabled && virtualThreadsAvailable() ? Execution.VIRTUAL : Execution.PLATFORM;
    }

    /**
     * The executor for {@code execution} ({@link Execution#AUTO} resolved by
     * {@link #resolve(Execution, boolean)} first): {@link Execution#EVENT_LOOP} runs inline (in the
     * connection's event), {@link Execution#PLATFORM} on a {@link BoundedHandlerPool} sized by
     * {@code pool}. As a bean it is shut down with the context ({@link DisposableBean}): by then
     * the listeners' graceful stop is over, so handlers still running are interrupted rather than
     * waited for (an {@code ExecutorService.close()} would wait without bound).
     *
     * @throws ExecutionModeUnavailableException for {@link Execution#VIRTUAL} on a JVM without virtual threads
     * @throws IllegalArgumentException for a pool setting out of range
     */
    public static Executor create(Execution execution, boolean virtualThreadsEnabled, Pool pool) {
        return switch (resolve(execution, virtualThreadsEnabled)) {
            case EVENT_LOOP -> Runnable::run;
            case PLATFORM -> new BoundedHandlerPool(pool.getMaxSize(), pool.getQueueCapacity(), pool.getKeepAlive(),
                    PLATFORM_THREAD_PREFIX);
            case VIRTUAL -> new VirtualThreads(virtual());
            case AUTO -> throw new IllegalStateException("resolve() never answers AUTO");
        };
    }

    /** A virtual thread per task; shut down (interrupting what runs) when destroyed. */
    private static final class VirtualThreads implements Executor, DisposableBean {
        private final ExecutorService threads;

        VirtualThreads(ExecutorService threads) {
            this.threads = threads;
        }

        @Override
        public void execute(Runnable task) {
            this.threads.execute(task);
        }

        @Override
        public void destroy() {
            this.threads.shutdownNow();
        }

        @Override
        public String toString() {
            return "VirtualThreads[" + VIRTUAL_THREAD_PREFIX + "N]";
        }
    }

    private static ExecutorService virtual() {
        ThreadFactory factory = virtualThreadFactory();
        if (factory == null) {
            throw new ExecutionModeUnavailableException("virtual", System.getProperty("java.version"));
        }
        try {
            Method perTask = Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class);
            return (ExecutorService) perTask.invoke(null, factory);
        }
        catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("cannot create the virtual handler threads", ex);
        }
    }

    /** {@code Thread.ofVirtual().name("taps-handler-v", 1).factory()}, or null before JDK 21. */
    private static @Nullable ThreadFactory virtualThreadFactory() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            builder = ofVirtual.getMethod("name", String.class, long.class).invoke(builder, VIRTUAL_THREAD_PREFIX, 1L);
            return (ThreadFactory) ofVirtual.getMethod("factory").invoke(builder);
        }
        catch (ReflectiveOperationException | LinkageError ex) {
            return null;
        }
    }
}

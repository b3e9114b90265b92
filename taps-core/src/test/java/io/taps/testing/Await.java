package io.taps.testing;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Bounded waits on completion stages, so a broken test fails instead of hanging. */
public final class Await {
    public static final Duration DEFAULT = Duration.ofSeconds(10);

    private Await() {
    }

    public static <T> T result(CompletionStage<T> stage) {
        return result(stage, DEFAULT);
    }

    public static <T> T result(CompletionStage<T> stage, Duration timeout) {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException failed) {
            throw new CompletionException(failed.getCause());
        } catch (TimeoutException late) {
            throw new AssertionError("not completed within " + timeout, late);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AssertionError(interrupted);
        }
    }

    /** The failure a stage completed with; fails the test if it completed normally. */
    public static Throwable failure(CompletionStage<?> stage) {
        return failure(stage, DEFAULT);
    }

    /** The failure a stage completed with within {@code timeout}; fails the test otherwise. */
    public static Throwable failure(CompletionStage<?> stage, Duration timeout) {
        try {
            Object value = result(stage, timeout);
            throw new AssertionError("expected a failure, got " + value);
        } catch (CompletionException failed) {
            return failed.getCause();
        }
    }
}

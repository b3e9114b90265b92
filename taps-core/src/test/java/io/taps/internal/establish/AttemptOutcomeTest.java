package io.taps.internal.establish;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * How the race hears an attempt's outcome (issue 21, figure 13): the failure itself, without the
 * CompletionException (and its stack trace) that a {@code whenComplete} stage makes per failed
 * attempt.
 */
class AttemptOutcomeTest {
    @Test
    void aFailedAttemptIsHeardAsItsOwnFailureAndMakesNoCompletionException() {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        List<Throwable> heard = new ArrayList<>();
        CompletableFuture<Void> stage = Establishment.whenDone(outcome, heard::add);
        TransportServicesException refused = new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED, "refused");

        outcome.completeExceptionally(refused);

        assertThat(heard).containsExactly(refused);
        // whenComplete's stage would hold a new CompletionException wrapping the failure.
        assertThat(stage).isCompletedWithValue(null);
    }

    @Test
    void aWonAttemptIsHeardAsNoFailure() {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        List<Throwable> heard = new ArrayList<>();
        Establishment.whenDone(outcome, heard::add);

        outcome.complete("won");

        assertThat(heard).containsExactly((Throwable) null);
    }

    @Test
    void anAttemptThatFailedBeforeItWasWatchedIsHeardAtOnce() {
        TransportServicesException refused = new TransportServicesException(ErrorReason.ESTABLISHMENT_FAILED, "refused");
        List<Throwable> heard = new ArrayList<>();

        CompletableFuture<Void> stage = Establishment.whenDone(CompletableFuture.failedFuture(refused), heard::add);

        assertThat(heard).containsExactly(refused);
        assertThat(stage).isCompletedWithValue(null);
    }
}

package io.taps.internal.race;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The causes a race collects and the one error it fails with (M-26, RFC 9622 §7.1): every failed
 * attempt, every failure outside an attempt (a name that did not resolve) and the deadline, in the
 * order they came. Not thread-safe: the {@link Racer}'s thread only.
 */
final class RaceFailures {
    private final List<Throwable> causes = new ArrayList<>();

    /** Adds {@code failure}, unwrapped from CompletionExceptions, and returns what was added. */
    Throwable add(Throwable failure) {
        Throwable cause = unwrap(failure);
        causes.add(cause);
        return cause;
    }

    /**
     * One EstablishmentError carrying every cause: the causes' common reason when they agree
     * (every address refused, or a certificate problem), EstablishmentFailed otherwise, Timeout when
     * the deadline ended it.
     *
     * @param decisive what ended the race (the deadline's Timeout), or null when every leaf failed
     * @param target what was being established, asked only here
     */
    TransportServicesException summarize(Throwable decisive, Supplier<String> target) {
        List<Throwable> all = new ArrayList<>(causes);
        ErrorReason reason = decisive instanceof TransportServicesException t && t.reason() == ErrorReason.TIMEOUT
                ? ErrorReason.TIMEOUT : commonReason(all);
        String detail = all.isEmpty() ? "no address to try" : all.size() + " attempt(s) failed, first: "
                + all.get(0).getMessage();
        TransportServicesException error = new TransportServicesException(reason,
                "could not establish " + target.get() + ": " + detail, all.isEmpty() ? null : all.get(0));
        for (int i = 1; i < all.size(); i++) {
            error.addSuppressed(all.get(i));
        }
        return error;
    }

    /** The reason a report line shows for {@code failure}. */
    static ErrorReason reasonOf(Throwable failure) {
        return failure instanceof TransportServicesException t ? t.reason() : ErrorReason.ESTABLISHMENT_FAILED;
    }

    private static ErrorReason commonReason(List<Throwable> failures) {
        Map<ErrorReason, Integer> seen = new LinkedHashMap<>();
        for (Throwable failure : failures) {
            seen.merge(reasonOf(failure), 1, Integer::sum);
        }
        return seen.size() == 1 ? seen.keySet().iterator().next() : ErrorReason.ESTABLISHMENT_FAILED;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}

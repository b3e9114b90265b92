package io.taps.interop;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Adds what each Kwik endpoint of a failed test logged ({@link KwikRecentLog}) to its failure, as
 * suppressed exceptions: the endpoints are closed by then (try-with-resources), their logs are not.
 */
public final class KwikLogOnFailure implements BeforeEachCallback, TestExecutionExceptionHandler {
    @Override
    public void beforeEach(ExtensionContext context) {
        KwikRecentLog.startTest();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        for (KwikRecentLog log : KwikRecentLog.sinceTestStart()) {
            failure.addSuppressed(new KwikLog(log));
        }
        throw failure;
    }

    /** One endpoint's recent Kwik log, carried by a failure; no stack trace of its own. */
    static final class KwikLog extends Exception {
        private static final long serialVersionUID = 1L;

        KwikLog(KwikRecentLog log) {
            super("Kwik " + log.endpoint() + ", last " + KwikRecentLog.LINES + " lines at most:\n" + log.text(), null,
                    false, false);
        }
    }
}

package io.taps.spring.listener;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@link ExecutionModeUnavailableException} at start-up: {@code taps.listener.execution}
 * asks for virtual threads on a JVM before 21. Registered in {@code META-INF/spring.factories}.
 */
class ExecutionModeFailureAnalyzer extends AbstractFailureAnalyzer<ExecutionModeUnavailableException> {

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, ExecutionModeUnavailableException cause) {
        return new FailureAnalysis(
                "taps.listener.execution=" + cause.execution() + " needs virtual threads (JDK 21 or later), but "
                        + "this application runs on Java " + cause.javaVersion() + ".",
                "Run the application on JDK 21 or later, or set taps.listener.execution to auto (virtual threads "
                        + "where the JVM has them), platform or event-loop.",
                cause);
    }
}

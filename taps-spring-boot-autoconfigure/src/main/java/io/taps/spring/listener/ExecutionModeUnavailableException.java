package io.taps.spring.listener;

/**
 * {@code taps.listener.execution} asks for a way of running handlers this JVM does not offer:
 * {@code virtual} before JDK 21.
 */
public class ExecutionModeUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String execution;
    private final String javaVersion;

    ExecutionModeUnavailableException(String execution, String javaVersion) {
        super("taps.listener.execution=" + execution + " needs JDK 21 or later; this is " + javaVersion
                + ". Use auto, platform or event-loop.");
        this.execution = execution;
        this.javaVersion = javaVersion;
    }

    /** The requested mode, as written in {@code taps.listener.execution}. */
    public String execution() {
        return this.execution;
    }

    /** The running JVM's {@code java.version}. */
    public String javaVersion() {
        return this.javaVersion;
    }
}

package io.taps.spring.listener;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link TapsListenerBindException} at start-up the way Boot explains a web server's
 * bind failure: the port in use with the listener id and the property that moves it, or any other
 * reason a Listener (RFC 9622 §7.2) could not listen. Registered in {@code META-INF/spring.factories}.
 */
class TapsListenerBindFailureAnalyzer extends AbstractFailureAnalyzer<TapsListenerBindException> {

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, TapsListenerBindException cause) {
        String id = cause.listenerId();
        if (portInUse(cause)) {
            return new FailureAnalysis(
                    "taps listener '" + id + "' failed to start. Port " + cause.port() + " on " + cause.host()
                            + " was already in use.",
                    "Identify and stop the process that's listening on port " + cause.port()
                            + " or configure taps listener '" + id + "' to listen on another port: set "
                            + cause.portProperty() + " (0 picks a free port).",
                    cause);
        }
        return new FailureAnalysis(
                "taps listener '" + id + "' (profile " + cause.profile() + ") failed to start on " + cause.host()
                        + " port " + cause.port() + ": " + rootMessage(cause),
                "Check that " + cause.host() + " is an address of this host that the listener may bind, and the "
                        + "listener's settings: taps.listeners." + id + ".host, " + cause.portProperty()
                        + " and taps.profiles." + cause.profile() + ".*",
                cause);
    }

    private static boolean portInUse(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            // NIO throws a BindException, Netty's epoll and kqueue a NativeIoException, both with
            // the errno text; a BindException may also mean an address this host does not have.
            String message = t.getMessage();
            if (message != null && message.contains("already in use")) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getName();
    }
}

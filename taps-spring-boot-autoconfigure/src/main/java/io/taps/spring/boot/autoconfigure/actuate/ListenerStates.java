package io.taps.spring.boot.autoconfigure.actuate;

import io.taps.Listener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/** Reads a Listener's binding state (RFC 9622 §7.2: Listen, then ready or ListenError). */
final class ListenerStates {
    static final String BOUND = "bound";
    static final String BINDING = "binding";
    static final String FAILED = "failed";
    static final String STOPPED = "stopped";
    static final String NOT_STARTED = "not-started";

    private ListenerStates() {
    }

    static String stateOf(ListenerDirectory.DeclaredListener declared) {
        Listener listener = declared.listener();
        if (listener == null) {
            return declared.running() ? NOT_STARTED : STOPPED;
        }
        if (!declared.running()) {
            return STOPPED;
        }
        CompletableFuture<Listener> ready = listener.ready().toCompletableFuture();
        if (!ready.isDone()) {
            return BINDING;
        }
        return ready.isCompletedExceptionally() ? FAILED : BOUND;
    }

    /** Why binding failed; null unless the state is failed. */
    static @Nullable String errorOf(ListenerDirectory.DeclaredListener declared) {
        Listener listener = declared.listener();
        if (listener == null) {
            return null;
        }
        CompletableFuture<Listener> ready = listener.ready().toCompletableFuture();
        if (!ready.isCompletedExceptionally()) {
            return null;
        }
        try {
            ready.join();
            return null;
        } catch (CompletionException failed) {
            Throwable cause = failed.getCause() != null ? failed.getCause() : failed;
            return cause.getMessage();
        } catch (java.util.concurrent.CancellationException cancelled) {
            return "cancelled";
        }
    }
}

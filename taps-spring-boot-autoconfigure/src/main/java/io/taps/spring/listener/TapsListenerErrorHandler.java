package io.taps.spring.listener;

import io.taps.Connection;
import io.taps.Message;
import org.jspecify.annotations.Nullable;

/**
 * Receives the exceptions of {@link TapsListener} handler methods and connection callbacks, payloads
 * that could not be read or validated, and replies that could not be Sent
 * ({@link TapsReplyException}), unless a {@link TapsExceptionHandler} method handled them. Define a
 * bean of this type to replace the default, which logs at WARN; with several beans, a listener
 * names its own with {@code @TapsListener(errorHandler = "beanName")} and the others get the
 * {@code @Primary} one (else the logging default). It runs with the Message's Observation current,
 * so what it logs carries the trace id. Whatever it does, the Listener and the Connection stay
 * open; call {@link Connection#close()} or {@link Connection#abort()} to end the Connection.
 */
@FunctionalInterface
public interface TapsListenerErrorHandler {

    /**
     * Handles {@code error} raised for {@code message} (null for connection callbacks) on
     * {@code connection} of the listener {@code listenerId}.
     */
    void handleError(String listenerId, Connection connection, @Nullable Message message, Throwable error);
}

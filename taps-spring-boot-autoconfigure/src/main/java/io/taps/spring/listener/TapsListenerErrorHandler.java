package io.taps.spring.listener;

import io.taps.Connection;
import io.taps.Message;
import org.jspecify.annotations.Nullable;

/**
 * Receives the exceptions of {@link TapsListener} handler methods and connection callbacks, and
 * failures to send a reply. Define a bean of this type to replace the default, which logs at WARN.
 * Whatever it does, the Listener and the Connection stay open; call {@link Connection#abort()} to
 * drop the Connection.
 */
@FunctionalInterface
public interface TapsListenerErrorHandler {

    /**
     * Handles {@code error} raised for {@code message} (null for connection callbacks) on
     * {@code connection} of the listener {@code listenerId}.
     */
    void handleError(String listenerId, Connection connection, @Nullable Message message, Throwable error);
}

package io.taps.spring.listener;

import io.taps.Connection;
import io.taps.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/** The default {@link TapsListenerErrorHandler}: logs the error at WARN with the listener id and peer. */
public final class LoggingTapsListenerErrorHandler implements TapsListenerErrorHandler {
    private static final Log logger = LogFactory.getLog(LoggingTapsListenerErrorHandler.class);

    @Override
    public void handleError(String listenerId, Connection connection, @Nullable Message message, Throwable error) {
        if (logger.isWarnEnabled()) {
            logger.warn("taps listener '" + listenerId + "' failed handling " + (message != null ? message : "a callback")
                    + " from " + connection.remoteEndpoint().map(Object::toString).orElse("?"), error);
        }
    }
}

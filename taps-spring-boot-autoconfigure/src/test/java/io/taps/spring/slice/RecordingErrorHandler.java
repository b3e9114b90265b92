package io.taps.spring.slice;

import io.taps.Connection;
import io.taps.Message;
import io.taps.spring.listener.TapsListenerErrorHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/** Records every handler failure as "listenerId:message:error message". */
@Component
class RecordingErrorHandler implements TapsListenerErrorHandler {
    final List<String> errors = new CopyOnWriteArrayList<>();

    @Override
    public void handleError(String listenerId, Connection connection, @Nullable Message message, Throwable error) {
        this.errors.add(listenerId + ":" + (message == null ? "-" : message.asString()) + ":" + error.getMessage());
    }
}

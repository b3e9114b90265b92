package io.taps.internal.conn;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;

/**
 * A Connection's failure raised on its event loop as it ends, whose own stack trace would only
 * show the loop's frames: it has none, which saves a stack walk per ended Connection (issue 21:
 * one per aborted Connection). Failures caused by another exception keep that cause and its stack.
 */
final class LoopFailure extends TransportServicesException {
    private static final long serialVersionUID = 1L;

    LoopFailure(ErrorReason reason, String message) {
        super(reason, message, null, false);
    }
}

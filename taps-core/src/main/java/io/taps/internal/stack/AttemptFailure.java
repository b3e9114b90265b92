package io.taps.internal.stack;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;

/**
 * The typed failure of one racing attempt (RFC 9622 §7.1 EstablishmentError, whose causes list
 * every attempt's): it names the stack and the address and types the transport's exception, which
 * it keeps as its cause with that exception's stack. It has no stack trace of its own: it is made
 * on the event loop, where those frames say nothing, once per refused candidate (64 per
 * establishment at the default {@code maxLeaves} when all but the last refuse).
 */
final class AttemptFailure extends TransportServicesException {
    private static final long serialVersionUID = 1L;

    AttemptFailure(ErrorReason reason, String message, Throwable cause) {
        super(reason, message, cause, false);
    }
}

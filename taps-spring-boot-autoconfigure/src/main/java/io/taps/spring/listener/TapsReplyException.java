package io.taps.spring.listener;

import io.taps.Message;
import org.jspecify.annotations.Nullable;

/**
 * A reply of a {@link TapsListener} method (or of a {@link TapsExceptionHandler} method) could not
 * be converted or Sent (RFC 9622 §9.2.2.3 SendError), for example a framer rejected it or the
 * Connection closed first. The cause says why; {@link #getReply()} is the value that was to be
 * sent. It reaches the exception handlers and the {@link TapsListenerErrorHandler} like a handler
 * exception, with the Message being answered, so a reply is never lost silently.
 */
public class TapsReplyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Object reply;

    public TapsReplyException(String message, Object reply, Throwable cause) {
        super(message, cause);
        this.reply = reply;
    }

    /** The reply value as the handler returned it (or the Message it was converted to). */
    public Object getReply() {
        return this.reply;
    }

    /** The converted reply Message, when conversion succeeded and Send failed. */
    public @Nullable Message getReplyMessage() {
        return this.reply instanceof Message message ? message : null;
    }
}

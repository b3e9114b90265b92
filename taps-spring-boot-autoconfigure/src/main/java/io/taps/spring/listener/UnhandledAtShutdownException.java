package io.taps.spring.listener;

/**
 * Handed to the {@link TapsListenerErrorHandler} when a graceful shutdown closed a Connection
 * (RFC 9622 §10) on which taps had received Messages the handler never got: the peer sent them
 * after the last one answered, too late to be served.
 */
public class UnhandledAtShutdownException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long unhandledMessages;

    UnhandledAtShutdownException(String message, long unhandledMessages) {
        super(message);
        this.unhandledMessages = unhandledMessages;
    }

    /** How many received Messages were not handled. */
    public long unhandledMessages() {
        return this.unhandledMessages;
    }
}

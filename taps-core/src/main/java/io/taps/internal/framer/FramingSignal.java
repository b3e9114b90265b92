package io.taps.internal.framer;

import io.taps.TransportServicesException;

/**
 * A framer's decision after Ready, passed up the pipeline behind the Messages it already
 * delivered, so the Connection acts on it only after those: the framer failed the Connection
 * ({@code error} set) or closed it ({@code error} null).
 */
public final class FramingSignal {
    public static final FramingSignal CLOSE = new FramingSignal(null);

    private final TransportServicesException error;

    private FramingSignal(TransportServicesException error) {
        this.error = error;
    }

    public static FramingSignal failure(TransportServicesException error) {
        return new FramingSignal(error);
    }

    /** The failure, or null for a graceful close. */
    public TransportServicesException error() {
        return error;
    }
}

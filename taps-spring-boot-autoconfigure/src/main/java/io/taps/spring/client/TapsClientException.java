package io.taps.spring.client;

import org.jspecify.annotations.Nullable;

/**
 * A {@link TapsClient} call failed; the subclasses say why. Used as it is when a call is refused at
 * once because {@code taps.clients.<name>.pool.max-pending} calls are already pending.
 */
public class TapsClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String clientName;

    public TapsClientException(String clientName, String message, @Nullable Throwable cause) {
        super("taps client '" + clientName + "': " + message, cause);
        this.clientName = clientName;
    }

    /** The name of the client whose call failed. */
    public String getClientName() {
        return this.clientName;
    }
}

package io.taps.spring.listener;

import org.springframework.context.ApplicationContextException;

/**
 * A {@link TapsListener} endpoint could not listen (RFC 9622 §7.2: its Listener reported an
 * EstablishmentError or did not become ready). Carries what a user needs to fix it: the listener
 * id, its profile, the address and port it asked for, and the property that moves it.
 */
public class TapsListenerBindException extends ApplicationContextException {
    private static final long serialVersionUID = 1L;

    private final String listenerId;
    private final String profile;
    private final String host;
    private final int port;

    TapsListenerBindException(String message, String listenerId, String profile, String host, int port,
            Throwable cause) {
        super(message, cause);
        this.listenerId = listenerId;
        this.profile = profile;
        this.host = host;
        this.port = port;
    }

    /** The {@code @TapsListener} id. */
    public String listenerId() {
        return this.listenerId;
    }

    /** The taps property profile the listener uses. */
    public String profile() {
        return this.profile;
    }

    /** The local address or host the listener asked for. */
    public String host() {
        return this.host;
    }

    /** The port the listener asked for (0: ephemeral). */
    public int port() {
        return this.port;
    }

    /** The property that sets this listener's port. */
    public String portProperty() {
        return "taps.listeners." + this.listenerId + ".port";
    }
}

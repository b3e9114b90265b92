package io.taps.spring.client;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What one {@link TapsClient} is doing now, for operators ({@code /actuator/taps}, section
 * {@code clients}) and tests: a snapshot, taken under the client's lock.
 *
 * @param name            the client's name ({@code taps.clients.<name>})
 * @param profile         the property profile its Preconnections are built from (RFC 9622 §6)
 * @param remoteHost      the host name or IP literal of its Remote Endpoint (§6.1)
 * @param remote          its Remote Endpoint as {@code host:port} (the port placeholder resolved
 *                        now, if it can be) or {@code host:service}
 * @param state           where the client is between establishments (§7.1) and Close (§10)
 * @param pendingRequests calls in flight or waiting for a Connection
 * @param connections     Connections it holds now: its Connection and, on a multiplexed group,
 *                        its clones (§7.4)
 * @param reconnects      establishments it started after losing a Connection or after a failed
 *                        attempt (each back-off step counts once)
 * @param lastError       the last failure (an establishment that failed, a Connection lost with
 *                        an error or aborted); null when there was none; kept after recovery
 */
public record TapsClientStatus(String name, String profile, String remoteHost, String remote, State state,
        int pendingRequests, int connections, long reconnects, @Nullable LastError lastError) {

    /** Where a client is. */
    public enum State {
        /** Not used yet: it connects on first use. */
        IDLE,
        /** Establishing its first Connection. */
        CONNECTING,
        /** Holds at least one Ready Connection. */
        CONNECTED,
        /** Lost its Connection (or an attempt failed) and establishes a new one after the back-off. */
        RECONNECTING,
        /** Closed with the application context; a context started again opens it. */
        CLOSED
    }

    /**
     * A client's Remote Endpoint as operators see it.
     *
     * @param host     the host name or IP literal
     * @param endpoint {@code host:port} or {@code host:service}
     */
    public record Remote(String host, String endpoint) {
        /** What a client registered without a description shows. */
        public static final Remote UNKNOWN = new Remote("?", "?");
    }

    /**
     * The last failure of a client.
     *
     * @param type    the exception's class name
     * @param message what happened (it may name the peer)
     * @param time    when it happened
     */
    public record LastError(String type, String message, Instant time) {
    }
}

package io.taps.spring.boot.autoconfigure.actuate;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One Listener in the taps endpoint (RFC 9622 §7.2). Holds names and addresses only, never
 * security parameters.
 *
 * @param id                 the listener id
 * @param profile            the taps property profile
 * @param state              {@code bound}, {@code binding}, {@code failed} or {@code stopped}
 * @param protocolStack      the chosen stack, for example {@code "TLS/TCP"}; null before Listen
 * @param addresses          the bound local addresses, for example {@code 127.0.0.1:7000}
 * @param port               the bound port, -1 when not bound
 * @param acceptedConnections how many Connections it delivered
 * @param error              why binding failed, when it did
 * @param handler            what its {@code @TapsListener} method did; null for a Listener that is not one
 */
public record ListenerDescriptor(String id, String profile, String state, @Nullable String protocolStack,
        List<String> addresses, int port, long acceptedConnections, @Nullable String error,
        @Nullable HandlerDescriptor handler) {

    /** A descriptor without handler figures. */
    public ListenerDescriptor(String id, String profile, String state, @Nullable String protocolStack,
            List<String> addresses, int port, long acceptedConnections, @Nullable String error) {
        this(id, profile, state, protocolStack, addresses, port, acceptedConnections, error, null);
    }

    /**
     * The handler figures of a {@code @TapsListener} since the context started.
     *
     * @param inFlight  Messages being handled (replies not all Sent yet)
     * @param handled   Messages handled without error
     * @param failed    Messages whose handling or reply failed
     * @param lastError the last error reported for the listener, null when none
     */
    public record HandlerDescriptor(long inFlight, long handled, long failed, @Nullable LastErrorDescriptor lastError) {
    }

    /**
     * The last error of a listener: its exception class name, message and ISO-8601 time. The
     * message is the exception's, which the application controls.
     */
    public record LastErrorDescriptor(String type, String message, String time) {
    }
}

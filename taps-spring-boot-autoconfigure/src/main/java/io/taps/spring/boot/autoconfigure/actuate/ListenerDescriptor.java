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
 */
public record ListenerDescriptor(String id, String profile, String state, @Nullable String protocolStack,
        List<String> addresses, int port, long acceptedConnections, @Nullable String error) {
}

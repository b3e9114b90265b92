package io.taps.spring.boot.autoconfigure.actuate;

import org.jspecify.annotations.Nullable;

/**
 * One {@code taps.clients.<name>} client in the taps endpoint: a Preconnection (RFC 9622 §6) and
 * the Connections it keeps (§7.1, §7.4). Who the peer is ({@code remote}, and the peer in
 * {@code lastError}'s message) is masked unless {@code management.endpoint.taps.show-values} allows
 * it, as for Connections.
 *
 * @param name            the client's name
 * @param profile         its property profile
 * @param remote          its Remote Endpoint ({@code host:port}), or {@code ******}
 * @param state           {@code idle}, {@code connecting}, {@code connected}, {@code reconnecting} or {@code closed}
 * @param pendingRequests calls in flight or waiting for a Connection
 * @param connections     Connections it holds now (its clones included)
 * @param reconnects      establishments started after a lost Connection or a failed attempt
 * @param lastError       its last failure, null when none
 */
public record ClientDescriptor(String name, String profile, String remote, String state, int pendingRequests,
        int connections, long reconnects, ListenerDescriptor.@Nullable LastErrorDescriptor lastError) {
}

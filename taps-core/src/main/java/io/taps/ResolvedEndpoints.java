package io.taps;

import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import java.util.List;

/**
 * What {@link Preconnection#resolve()} returns (RFC 9622 §7.3, A-07: {@code []LocalEndpoint,
 * []RemoteEndpoint := Preconnection.Resolve()}): the Local and Remote Endpoints resolved to
 * addresses, each list without duplicates, in resolution order.
 *
 * @param localEndpoints the local candidates, each an IP address and port (0 for ephemeral)
 * @param remoteEndpoints the remote candidates, each an IP address and port
 */
public record ResolvedEndpoints(List<LocalEndpoint> localEndpoints, List<RemoteEndpoint> remoteEndpoints) {
    /** Copies both lists, which are then unmodifiable. */
    public ResolvedEndpoints {
        localEndpoints = List.copyOf(localEndpoints);
        remoteEndpoints = List.copyOf(remoteEndpoints);
    }
}

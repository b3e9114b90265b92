package io.taps;

import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import java.util.List;

/**
 * What {@link Preconnection#resolve()} returns (RFC 9622 §7.3, A-07: {@code []LocalEndpoint,
 * []RemoteEndpoint := Preconnection.Resolve()}): the Local and Remote Endpoints resolved to
 * addresses, each list without duplicates, in resolution order.
 *
 * <p>For a Rendezvous these are the candidates the application sends to its peer over signalling:
 * the Local Endpoints are the host candidates (a wildcard Local Endpoint becomes the addresses of
 * the interfaces that are up, loopback and link-local left out) followed by the server-reflexive
 * ones a STUN server configured on a Local Endpoint reported ({@link #serverReflexiveEndpoints()}).
 *
 * @param localEndpoints the local candidates, each an IP address and port (0 for ephemeral), host
 *     candidates first, then the server-reflexive ones
 * @param remoteEndpoints the remote candidates, each an IP address and port
 * @param serverReflexiveEndpoints the server-reflexive candidates among {@code localEndpoints}: the
 *     addresses a NAT maps a host candidate to, as a STUN server saw them (RFC 8445 §5.1.1.2)
 */
public record ResolvedEndpoints(List<LocalEndpoint> localEndpoints, List<RemoteEndpoint> remoteEndpoints,
        List<LocalEndpoint> serverReflexiveEndpoints) {
    /** Copies the lists, which are then unmodifiable. */
    public ResolvedEndpoints {
        localEndpoints = List.copyOf(localEndpoints);
        remoteEndpoints = List.copyOf(remoteEndpoints);
        serverReflexiveEndpoints = List.copyOf(serverReflexiveEndpoints);
    }

    /** Endpoints without server-reflexive candidates. */
    public ResolvedEndpoints(List<LocalEndpoint> localEndpoints, List<RemoteEndpoint> remoteEndpoints) {
        this(localEndpoints, remoteEndpoints, List.of());
    }

    /** The host candidates: the Local Endpoints that are addresses of this host. */
    public List<LocalEndpoint> hostCandidates() {
        return localEndpoints.stream().filter(local -> !serverReflexiveEndpoints.contains(local)).toList();
    }
}

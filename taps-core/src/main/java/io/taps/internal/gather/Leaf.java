package io.taps.internal.gather;

import io.taps.monitor.EstablishmentReport;
import io.taps.spi.ProtocolStack;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * A leaf of the candidate tree (RFC 9623 §4.1): one path, one protocol stack with its ALPN list,
 * one resolved remote address. One leaf is one connection attempt.
 *
 * @param path the local path
 * @param stack the protocol stack
 * @param alpn the ALPN protocols offered (all in one handshake, so they do not multiply leaves)
 * @param remote the resolved remote address
 * @param peerName the name TLS verifies and sends as SNI
 * @param proxy the proxy the attempt tunnels through, or {@code null} on the direct branch; then
 *     {@code remote} is the destination the proxy connects to, unresolved when the proxy resolves names
 */
public record Leaf(LocalPath path, ProtocolStack stack, List<String> alpn, InetSocketAddress remote, String peerName,
        ProxyHop proxy) {
    /** Copies the ALPN list. */
    public Leaf {
        alpn = List.copyOf(alpn);
    }

    /** A leaf of the direct branch. */
    public Leaf(LocalPath path, ProtocolStack stack, List<String> alpn, InetSocketAddress remote, String peerName) {
        this(path, stack, alpn, remote, peerName, null);
    }

    /** The report's view of this leaf. */
    public EstablishmentReport.Candidate toCandidate() {
        return new EstablishmentReport.Candidate(path.describe(), stack.capabilities().name(), alpn, remote, peerName,
                proxy == null ? null : proxy.describe());
    }

    /** The report's line for this leaf while its attempt has not started. */
    public EstablishmentReport.Attempt notStartedLine() {
        return new EstablishmentReport.Attempt(toCandidate(), Optional.empty(), Optional.empty(),
                EstablishmentReport.Outcome.NOT_STARTED, Optional.empty(), Optional.empty(), false);
    }
}

package io.taps.internal.establish;

import io.taps.ProxyConfig;
import io.taps.ProxyServer;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.gather.CandidateTree;
import io.taps.internal.gather.ProxyBranches;
import io.taps.internal.gather.ProxyHop;
import io.taps.internal.resolve.EndpointResolver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The proxy part of one establishment's candidate gathering (RFC 9623 §4.1.2, §4.2): resolves each
 * proxy's host (literals at once), and adds the proxy branches to the tree as the proxies become
 * known. The destinations of a proxy that resolves names are the RemoteEndpoints' names, unresolved;
 * when every proxy resolves names and the direct path is not used, the destination is never looked
 * up locally at all. Runs on the connection's event loop, like {@link Establishment}.
 */
public final class ProxyGathering {
    private final ProxyConfig config;
    private final List<ProxyServer> servers;
    private final ProxyHop[] hops;
    private int answered;

    /**
     * @param config the effective configuration (its policy and delay)
     * @param servers the proxies for this Connection, in race order (configured, then the ProxySelector's)
     */
    public ProxyGathering(ProxyConfig config, List<ProxyServer> servers) {
        this.config = Objects.requireNonNull(config, "config");
        this.servers = List.copyOf(servers);
        this.hops = new ProxyHop[this.servers.size()];
    }

    /** Whether the destination must be resolved here: the direct path races, or a proxy wants addresses. */
    public boolean needsLocalResolution() {
        if (config.policy() != ProxyConfig.Policy.PROXY) {
            return true;
        }
        // A loop, not a stream: asked twice per Initiate through a proxy (figure 9).
        for (ProxyServer server : servers) {
            if (!server.resolvesNames()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Resolves every proxy's host; {@code changed} runs (through {@code onLoop}) after each answer,
     * {@code failed} gets a proxy that did not resolve.
     */
    public void resolve(EndpointResolver resolver, boolean useCache, Consumer<Runnable> onLoop, Runnable changed,
            Consumer<Throwable> failed) {
        for (int i = 0; i < servers.size(); i++) {
            int index = i;
            ProxyServer server = servers.get(i);
            InetAddress literal = io.netty.util.NetUtil.createInetAddressFromIpAddressString(server.host());
            if (literal != null && !(literal instanceof java.net.Inet6Address && server.host().indexOf('%') >= 0)) {
                // An address literal (no zone to look up) is its own answer: no resolver round,
                // no stage, and the hop is known before the destination's resolution starts.
                answered++;
                hops[index] = new ProxyHop(server, new InetSocketAddress(literal, server.port()), config.delay());
                changed.run();
                continue;
            }
            RemoteEndpoint endpoint = literal != null ? RemoteEndpoint.ofAddress(literal, server.port())
                    : RemoteEndpoint.ofHost(server.host(), server.port());
            resolver.resolve(endpoint, null, useCache).whenComplete((addresses, failure) -> onLoop.accept(() -> {
                answered++;
                if (failure != null || addresses.isEmpty()) {
                    failed.accept(new io.taps.TransportServicesException(io.taps.ErrorReason.RESOLUTION_FAILED,
                            "could not resolve " + server.describe() + ": "
                                    + (failure == null ? "no addresses" : failure.getMessage()), failure));
                } else {
                    hops[index] = new ProxyHop(server, addresses.get(0), config.delay());
                }
                changed.run();
            }));
        }
    }

    /** Whether every proxy's host has answered. */
    public boolean done() {
        return answered == servers.size();
    }

    /** {@code direct} with the proxy branches of the proxies known so far (RACE: first; PROXY: alone). */
    public CandidateTree apply(CandidateTree direct, List<RemoteEndpoint> remotes, List<CandidateTree.Target> resolved,
            int maxLeaves) {
        List<ProxyHop> known = new ArrayList<>();
        for (ProxyHop hop : hops) {
            if (hop != null) {
                known.add(hop);
            }
        }
        return ProxyBranches.apply(direct, known, config.policy(), remotes, ProxyGathering::names, resolved, maxLeaves);
    }

    /** The destinations as named: host name and port unresolved, an address literal as it is. */
    private static List<CandidateTree.Target> names(List<RemoteEndpoint> remotes) {
        List<CandidateTree.Target> out = new ArrayList<>();
        for (RemoteEndpoint remote : remotes) {
            int port = remote.effectivePort();
            if (port == 0) {
                continue;
            }
            if (remote.hostName().isPresent()) {
                String name = remote.hostName().get();
                out.add(new CandidateTree.Target(name, List.of(ProxyBranches.unresolved(name, port))));
            } else if (remote.ipAddress().isPresent()) {
                InetAddress ip = remote.ipAddress().get();
                out.add(new CandidateTree.Target(ip.getHostAddress(), List.of(new InetSocketAddress(ip, port))));
            }
        }
        return out;
    }
}

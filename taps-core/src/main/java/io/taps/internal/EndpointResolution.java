package io.taps.internal;

import io.taps.ResolvedEndpoints;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.resolve.EndpointResolver;
import io.taps.internal.stun.StunBindingClient;
import io.taps.monitor.NetworkPath;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns a Preconnection's endpoints into addresses: for Listen (the Local Endpoints to bind) and for
 * Resolve (RFC 9622 §7.3, A-07). Kept apart from the engine so the engine only wires the parts.
 */
final class EndpointResolution {
    private final EndpointResolver resolver;
    private final Supplier<List<NetworkPath>> paths;
    private final Executor blocking;

    private final ServerReflexive stun;

    /** Asks a STUN server which address a NAT maps a bound local UDP address to (RFC 8489, RFC 8445 §5.1.1.2). */
    @FunctionalInterface
    interface ServerReflexive {
        CompletableFuture<StunBindingClient.Mapping> query(InetSocketAddress local, InetSocketAddress server);
    }

    EndpointResolution(EndpointResolver resolver, Supplier<List<NetworkPath>> paths, Executor blocking,
            ServerReflexive stun) {
        this.resolver = resolver;
        this.paths = paths;
        this.blocking = blocking;
        this.stun = stun;
    }

    /**
     * The Preconnection's endpoints resolved to addresses, as candidates for early binding or for a
     * peer to reach. Without Local Endpoints, every address of every interface that is up, with an
     * ephemeral port; the interfaces are read on the blocking executor, never on an event loop. A
     * Remote Endpoint that does not resolve fails the stage with ResolutionFailed.
     */
    CompletionStage<ResolvedEndpoints> resolve(PreconnectionSpec spec) {
        CompletableFuture<Candidates> locals;
        if (spec.locals().isEmpty()) {
            locals = CompletableFuture.supplyAsync(() -> new Candidates(interfaceEndpoints(), List.of()), blocking);
        } else {
            List<CompletableFuture<Candidates>> each = spec.locals().stream().map(this::candidates).toList();
            locals = CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(done -> {
                List<LocalEndpoint> hosts = new ArrayList<>();
                List<LocalEndpoint> reflexive = new ArrayList<>();
                for (CompletableFuture<Candidates> one : each) {
                    one.join().hosts().stream().filter(h -> !hosts.contains(h)).forEach(hosts::add);
                    one.join().reflexive().stream().filter(r -> !reflexive.contains(r)).forEach(reflexive::add);
                }
                return new Candidates(hosts, reflexive);
            });
        }
        CompletableFuture<List<RemoteEndpoint>> remotes = all(spec.remotes(),
                remote -> resolver.resolve(remote).toCompletableFuture())
                .thenApply(addresses -> addresses.stream().map(RemoteEndpoint::of).distinct().toList());
        return locals.thenCombine(remotes, (candidates, remote) -> {
            List<LocalEndpoint> all = new ArrayList<>(candidates.hosts());
            candidates.reflexive().stream().filter(r -> !all.contains(r)).forEach(all::add);
            return new ResolvedEndpoints(all, remote, candidates.reflexive());
        });
    }

    /** Host and server-reflexive candidates of one Local Endpoint. */
    private record Candidates(List<LocalEndpoint> hosts, List<LocalEndpoint> reflexive) {
    }

    /**
     * One Local Endpoint's candidates (RFC 8445 §5.1.1): its addresses, a wildcard one expanded to
     * the interfaces' addresses; with a STUN server, the first address is bound (an ephemeral port
     * becomes concrete, and every host candidate of the endpoint gets it) and the server's answer is
     * the server-reflexive candidate.
     */
    private CompletableFuture<Candidates> candidates(LocalEndpoint endpoint) {
        CompletableFuture<List<InetSocketAddress>> addresses = resolver.resolve(endpoint).toCompletableFuture();
        if (endpoint.stunServer().isEmpty() || endpoint.isMulticast()) {
            return addresses.thenComposeAsync(found -> CompletableFuture.completedFuture(
                    new Candidates(expand(found, -1, null), List.of())), blocking);
        }
        InetSocketAddress server = endpoint.stunServer().get();
        return addresses.thenCompose(found -> {
            InetSocketAddress first = found.isEmpty() ? new InetSocketAddress(endpoint.effectivePort()) : found.get(0);
            return resolver.resolve(RemoteEndpoint.ofHost(server.getHostString(), server.getPort()))
                    .toCompletableFuture().thenCompose(servers -> {
                        InetSocketAddress target = sameFamily(servers, first);
                        return stun.query(first, target);
                    }).thenApplyAsync(mapping -> new Candidates(expand(found, mapping.local().getPort(), server),
                            List.of(LocalEndpoint.ofAddress(mapping.mapped().getAddress(), mapping.mapped().getPort()))),
                            blocking);
        });
    }

    /** A host candidate keeps its endpoint's STUN server, so a Rendezvous on it can ask the server again. */
    private static LocalEndpoint hostCandidate(java.net.InetAddress address, int port, InetSocketAddress stunServer) {
        LocalEndpoint.Builder builder = LocalEndpoint.builder().withIpAddress(address).withPort(port);
        if (stunServer != null) {
            builder.withStunServer(stunServer.getHostString(), stunServer.getPort());
        }
        return builder.build();
    }

    private static InetSocketAddress sameFamily(List<InetSocketAddress> servers, InetSocketAddress local) {
        for (InetSocketAddress server : servers) {
            if (local.getAddress().isAnyLocalAddress()
                    || server.getAddress().getAddress().length == local.getAddress().getAddress().length) {
                return server;
            }
        }
        throw new io.taps.TransportServicesException(io.taps.ErrorReason.RESOLUTION_FAILED,
                "no STUN server address of the family of " + local + " among " + servers);
    }

    /**
     * The addresses as Local Endpoints, with {@code port} when it is not -1; a wildcard address
     * becomes every address of its family on the interfaces that are up, leaving out loopback and
     * link-local addresses, which a peer elsewhere cannot reach (RFC 8445 §5.1.1.1). Runs off the
     * event loops, since it may list the interfaces.
     */
    private List<LocalEndpoint> expand(List<InetSocketAddress> addresses, int port, InetSocketAddress stunServer) {
        List<LocalEndpoint> out = new ArrayList<>();
        for (InetSocketAddress address : addresses) {
            int effective = port == -1 ? address.getPort() : port;
            if (!address.getAddress().isAnyLocalAddress()) {
                out.add(hostCandidate(address.getAddress(), effective, stunServer));
                continue;
            }
            boolean v4Only = address.getAddress() instanceof java.net.Inet4Address;
            for (NetworkPath path : paths.get()) {
                if (!path.up()) {
                    continue;
                }
                for (java.net.InetAddress each : path.addresses()) {
                    if (each.isLoopbackAddress() || each.isLinkLocalAddress()
                            || (v4Only && !(each instanceof java.net.Inet4Address))) {
                        continue;
                    }
                    LocalEndpoint candidate = hostCandidate(each, effective, stunServer);
                    if (!out.contains(candidate)) {
                        out.add(candidate);
                    }
                }
            }
        }
        return out;
    }

    /** Every address the Local Endpoints name, each once, in order. */
    CompletableFuture<List<InetSocketAddress>> locals(List<LocalEndpoint> endpoints) {
        return all(endpoints, local -> resolver.resolve(local).toCompletableFuture());
    }

    private static <E> CompletableFuture<List<InetSocketAddress>> all(List<E> endpoints,
            Function<E, CompletableFuture<List<InetSocketAddress>>> lookup) {
        List<CompletableFuture<List<InetSocketAddress>>> lookups = endpoints.stream().map(lookup).toList();
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<InetSocketAddress> all = new ArrayList<>();
            for (CompletableFuture<List<InetSocketAddress>> each : lookups) {
                for (InetSocketAddress address : each.join()) {
                    if (!all.contains(address)) {
                        all.add(address);
                    }
                }
            }
            return all;
        });
    }

    private List<LocalEndpoint> interfaceEndpoints() {
        List<LocalEndpoint> out = new ArrayList<>();
        for (NetworkPath path : paths.get()) {
            if (path.up()) {
                path.addresses().forEach(address -> out.add(LocalEndpoint.ofAddress(address, 0)));
            }
        }
        return List.copyOf(out);
    }
}

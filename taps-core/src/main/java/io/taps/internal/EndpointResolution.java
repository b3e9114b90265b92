package io.taps.internal;

import io.taps.ResolvedEndpoints;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.resolve.EndpointResolver;
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

    EndpointResolution(EndpointResolver resolver, Supplier<List<NetworkPath>> paths, Executor blocking) {
        this.resolver = resolver;
        this.paths = paths;
        this.blocking = blocking;
    }

    /**
     * The Preconnection's endpoints resolved to addresses, as candidates for early binding or for a
     * peer to reach. Without Local Endpoints, every address of every interface that is up, with an
     * ephemeral port; the interfaces are read on the blocking executor, never on an event loop. A
     * Remote Endpoint that does not resolve fails the stage with ResolutionFailed.
     */
    CompletionStage<ResolvedEndpoints> resolve(PreconnectionSpec spec) {
        CompletableFuture<List<LocalEndpoint>> locals;
        if (spec.locals().isEmpty()) {
            locals = CompletableFuture.supplyAsync(this::interfaceEndpoints, blocking);
        } else {
            locals = locals(spec.locals()).thenApply(addresses -> addresses.stream()
                    .map(address -> LocalEndpoint.ofAddress(address.getAddress(), address.getPort()))
                    .toList());
        }
        CompletableFuture<List<RemoteEndpoint>> remotes = all(spec.remotes(),
                remote -> resolver.resolve(remote).toCompletableFuture())
                .thenApply(addresses -> addresses.stream().map(RemoteEndpoint::of).distinct().toList());
        return locals.thenCombine(remotes, ResolvedEndpoints::new);
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

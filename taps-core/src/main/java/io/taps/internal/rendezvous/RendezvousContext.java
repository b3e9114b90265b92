package io.taps.internal.rendezvous;

import io.taps.RendezvousCredentials;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.cache.CacheScope;
import io.taps.internal.conn.TapsConnection;
import io.taps.internal.stack.StackEnvironment;
import io.taps.monitor.EstablishmentReport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What both Rendezvous transports share: the Connection, the snapshot, the credentials, the bound
 * and the trickle hook, plus the bases made from the Local Endpoints and the report they publish.
 */
record RendezvousContext(TapsConnection connection, PreconnectionSpec spec, RendezvousCredentials local,
        RendezvousCredentials remote, Duration timeout, StackEnvironment environment, CacheScope scope,
        Function<Consumer<List<RemoteEndpoint>>, Runnable> trickle) {

    /** The bases: one per distinct Local Endpoint address, host priority by order (RFC 8445 §5.1.2.1). */
    List<Base> bases() {
        Map<InetSocketAddress, Base> bases = new LinkedHashMap<>();
        for (LocalEndpoint endpoint : spec.locals()) {
            InetSocketAddress address = endpoint.ipAddress()
                    .map(ip -> new InetSocketAddress(ip, endpoint.effectivePort()))
                    .orElseGet(() -> new InetSocketAddress(endpoint.effectivePort()));
            bases.putIfAbsent(address, new Base(address, CandidateType.HOST.priority(65535 - bases.size())));
        }
        return List.copyOf(bases.values());
    }

    /** The STUN server of the Local Endpoint a base came from, if it names one by IP literal. */
    InetSocketAddress stunServerOf(Base base) {
        for (LocalEndpoint endpoint : spec.locals()) {
            boolean same = endpoint.effectivePort() == base.address().getPort()
                    && endpoint.ipAddress().map(ip -> ip.equals(base.address().getAddress()))
                            .orElse(base.address().getAddress().isAnyLocalAddress());
            if (same && endpoint.stunServer().isPresent()) {
                InetSocketAddress server = endpoint.stunServer().get();
                if (io.netty.util.NetUtil.isValidIpV4Address(server.getHostString())
                        || io.netty.util.NetUtil.isValidIpV6Address(server.getHostString())) {
                    return new InetSocketAddress(io.netty.util.NetUtil.createInetAddressFromIpAddressString(
                            server.getHostString()), server.getPort());
                }
            }
        }
        return null;
    }

    /** The remote candidates given as IP addresses with ports; others are named in {@code skipped}. */
    static List<InetSocketAddress> addresses(List<RemoteEndpoint> remotes, List<String> skipped) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (RemoteEndpoint remote : remotes) {
            if (remote.ipAddress().isPresent() && remote.effectivePort() > 0) {
                out.add(new InetSocketAddress(remote.ipAddress().get(), remote.effectivePort()));
            } else {
                skipped.add(remote + " (a rendezvous candidate must be an IP address with a port)");
            }
        }
        return out;
    }

    /** The report of the checks so far (RFC 9623 §4.3): one leaf per candidate pair. */
    EstablishmentReport report(String stack, List<Base> bases, List<CandidatePair> pairs, CandidatePair selected,
            List<String> notes, long originNanos, boolean finished) {
        List<EstablishmentReport.PathBranch> tree = new ArrayList<>();
        for (Base base : bases) {
            List<InetSocketAddress> remotes = pairs.stream().filter(p -> p.base.equals(base)).map(p -> p.remote).toList();
            tree.add(new EstablishmentReport.PathBranch(base.describe(),
                    List.of(new EstablishmentReport.StackBranch(stack, List.of(), remotes))));
        }
        List<EstablishmentReport.Attempt> attempts = pairs.stream()
                .map(pair -> pair.attempt(stack, originNanos, pair == selected, finished)).toList();
        return new EstablishmentReport(tree, List.of(), attempts, selected == null ? null : selected.candidate(stack),
                notes, finished, Duration.ofNanos(System.nanoTime() - originNanos));
    }
}

package io.taps.internal.gather;

import io.taps.ProxyConfig;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.spi.ProtocolStack;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Adds the proxy branches to a candidate tree (RFC 9623 §4.1.2: a proxy is a protocol option, below
 * the path and above the derived endpoints, M-12). Under each path, every proxy whose resolved
 * address the path can reach gets one branch per stack that {@linkplain
 * ProtocolStack#tunnelsThroughProxies() tunnels}; its leaves are the destinations: the unresolved
 * host names when the proxy resolves names (no local DNS query for them), else the resolved
 * addresses. Policy RACE puts the proxy branches before the direct ones, PROXY drops the direct
 * ones; the bound on leaves counts proxy leaves first.
 */
public final class ProxyBranches {
    private ProxyBranches() {
    }

    /** A tree with proxy branches and the arguments it was built from, kept on its direct tree. */
    record Proxied(List<ProxyHop> hops, ProxyConfig.Policy policy, List<RemoteEndpoint> remotes,
            List<CandidateTree.Target> resolved, int maxLeaves, CandidateTree tree) {

        boolean matches(List<ProxyHop> hops, ProxyConfig.Policy policy, List<RemoteEndpoint> remotes,
                List<CandidateTree.Target> resolved, int maxLeaves) {
            return this.policy == policy && this.maxLeaves == maxLeaves && this.hops.equals(hops)
                    && this.remotes.equals(remotes) && Objects.equals(this.resolved, resolved);
        }
    }

    /**
     * {@link #apply(CandidateTree, List, ProxyConfig.Policy, List, List, int)} with the destinations
     * named by {@code remotes} ({@code names} makes them), the last tree built on {@code direct}
     * itself when every argument is equal: the tree is a function of them, and a Preconnection's
     * Initiates share {@code direct}, so they share its proxy branches too.
     */
    public static CandidateTree apply(CandidateTree direct, List<ProxyHop> hops, ProxyConfig.Policy policy,
            List<RemoteEndpoint> remotes, Function<List<RemoteEndpoint>, List<CandidateTree.Target>> names,
            List<CandidateTree.Target> resolved, int maxLeaves) {
        Proxied last = direct.proxied;
        if (last != null && last.matches(hops, policy, remotes, resolved, maxLeaves)) {
            return last.tree();
        }
        CandidateTree tree = apply(direct, hops, policy, names.apply(remotes), resolved, maxLeaves);
        direct.proxied = new Proxied(List.copyOf(hops), policy, List.copyOf(remotes),
                resolved == null ? null : List.copyOf(resolved), maxLeaves, tree);
        return tree;
    }

    /**
     * The tree with the proxy branches.
     *
     * @param direct the tree of the direct branches (one node per path and stack, leaves or not)
     * @param hops the proxies whose address is known, in race order
     * @param policy RACE or PROXY
     * @param names the destinations as the application named them (host name and port, unresolved)
     * @param resolved the destinations resolved so far (for proxies that do not resolve names)
     * @param maxLeaves the most leaves in all
     */
    public static CandidateTree apply(CandidateTree direct, List<ProxyHop> hops, ProxyConfig.Policy policy,
            List<CandidateTree.Target> names, List<CandidateTree.Target> resolved, int maxLeaves) {
        List<CandidateTree.PathNode> paths = new ArrayList<>();
        int budget = maxLeaves;
        for (CandidateTree.PathNode path : direct.paths()) {
            List<CandidateTree.StackNode> nodes = new ArrayList<>();
            for (ProxyHop hop : hops) {
                if (!path.path().matches(hop.address())) {
                    continue;
                }
                List<CandidateTree.Target> destinations = hop.server().resolvesNames() ? names : resolved;
                for (CandidateTree.StackNode stack : path.stacks()) {
                    if (!stack.stack().tunnelsThroughProxies()) {
                        continue;
                    }
                    List<Leaf> leaves = new ArrayList<>();
                    List<InetSocketAddress> seen = new ArrayList<>();
                    for (CandidateTree.Target target : destinations) {
                        for (InetSocketAddress destination : target.addresses()) {
                            if (budget > 0 && !seen.contains(destination)) {
                                seen.add(destination);
                                leaves.add(new Leaf(path.path(), stack.stack(), stack.alpn(), destination,
                                        target.peerName(), hop));
                                budget--;
                            }
                        }
                    }
                    nodes.add(new CandidateTree.StackNode(stack.stack(), stack.alpn(), leaves, hop));
                }
            }
            paths.add(new CandidateTree.PathNode(path.path(), nodes));
        }
        if (policy == ProxyConfig.Policy.RACE) {
            for (int i = 0; i < paths.size(); i++) {
                List<CandidateTree.StackNode> nodes = new ArrayList<>(paths.get(i).stacks());
                for (CandidateTree.StackNode stack : direct.paths().get(i).stacks()) {
                    List<Leaf> kept = stack.leaves().subList(0, Math.min(budget, stack.leaves().size()));
                    budget -= kept.size();
                    nodes.add(new CandidateTree.StackNode(stack.stack(), stack.alpn(), kept));
                }
                paths.set(i, new CandidateTree.PathNode(paths.get(i).path(), nodes));
            }
        }
        return CandidateTree.of(paths);
    }

    /** The unresolved form of a destination: the host name and port a proxy that resolves names is given. */
    public static InetSocketAddress unresolved(String hostName, int port) {
        return InetSocketAddress.createUnresolved(hostName, port);
    }
}

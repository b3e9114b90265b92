package io.taps.internal.gather;

import io.taps.monitor.EstablishmentReport;
import io.taps.spi.ProtocolStack;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * The candidate tree of RFC 9623 §4.1, immutable: path (local address or the OS's choice), then
 * protocol stack (with its ALPN list), then resolved remote address. {@link #leaves()} is the race
 * order: the tree walked depth first, each level in rank order.
 *
 * <p>Ranking (RFC 9623 §4.1.3, design.md Q-2): paths come in the order given (LocalEndpoints, then
 * interface Prefer before neutral before Avoid); stacks in the order given (the Require/Prohibit
 * filter and Prefer/Avoid counts of the selection); addresses first by the {@link CandidateHistory},
 * then RFC 6724 destination precedence (its default policy table), then address families
 * interleaved with a first-family count of 1 (RFC 8305 §4, HEv3). Bounds (M-72, Q-19): at most
 * {@code maxAddressesPerHost} addresses per host name and {@code maxLeaves} leaves in all.
 */
public final class CandidateTree {
    private final List<PathNode> paths;
    private final List<Leaf> leaves;
    /** {@link #toReport()}, built once: an establishment publishes its report several times per tree. */
    private List<EstablishmentReport.PathBranch> report;

    private CandidateTree(List<PathNode> paths, List<Leaf> leaves) {
        this.paths = List.copyOf(paths);
        this.leaves = List.copyOf(leaves);
    }

    /** A path branch. */
    public record PathNode(LocalPath path, List<StackNode> stacks) {
        /** Copies the list. */
        public PathNode {
            stacks = List.copyOf(stacks);
        }
    }

    /** A protocol branch with its address leaves, in race order; {@code proxy} is null on the direct branch. */
    public record StackNode(ProtocolStack stack, List<String> alpn, List<Leaf> leaves, ProxyHop proxy) {
        /** Copies the lists. */
        public StackNode {
            alpn = List.copyOf(alpn);
            leaves = List.copyOf(leaves);
        }

        /** A direct branch. */
        public StackNode(ProtocolStack stack, List<String> alpn, List<Leaf> leaves) {
            this(stack, alpn, leaves, null);
        }
    }

    /** A tree of these branches; its leaves are theirs, walked depth first (see {@link ProxyBranches}). */
    static CandidateTree of(List<PathNode> paths) {
        List<Leaf> all = new ArrayList<>();
        paths.forEach(path -> path.stacks().forEach(stack -> all.addAll(stack.leaves())));
        return new CandidateTree(paths, all);
    }

    /** The addresses one remote endpoint resolved to, and the name TLS verifies for them. */
    public record Target(String peerName, List<InetSocketAddress> addresses) {
        /** Copies the list. */
        public Target {
            addresses = List.copyOf(addresses);
        }
    }

    public List<PathNode> paths() {
        return paths;
    }

    /** Every leaf in race order, at most {@code maxLeaves}. */
    public List<Leaf> leaves() {
        return leaves;
    }

    /** The report's view of the tree. */
    public List<EstablishmentReport.PathBranch> toReport() {
        List<EstablishmentReport.PathBranch> built = report;
        if (built == null) {
            built = buildReport();
            report = built;
        }
        return built;
    }

    private List<EstablishmentReport.PathBranch> buildReport() {
        List<EstablishmentReport.PathBranch> out = new ArrayList<>();
        for (PathNode path : paths) {
            List<EstablishmentReport.StackBranch> stacks = new ArrayList<>();
            for (StackNode stack : path.stacks()) {
                List<InetSocketAddress> addresses = new ArrayList<>();
                stack.leaves().forEach(leaf -> addresses.add(leaf.remote()));
                stacks.add(new EstablishmentReport.StackBranch(stack.stack().capabilities().name(), stack.alpn(),
                        addresses, stack.proxy() == null ? null : stack.proxy().describe()));
            }
            out.add(new EstablishmentReport.PathBranch(path.path().describe(), stacks));
        }
        return List.copyOf(out);
    }

    /**
     * Builds the tree.
     *
     * @param paths the local paths, best first (at least one)
     * @param stacks the protocol stacks, best first
     * @param alpn the ALPN protocols of secure stacks
     * @param targets the resolved remote endpoints in the order the application gave them
     * @param history the ranking by past experience
     * @param maxLeaves the most leaves in all
     * @param maxAddressesPerHost the most addresses kept per remote endpoint
     */
    public static CandidateTree build(List<LocalPath> paths, List<ProtocolStack> stacks, List<String> alpn,
            List<Target> targets, CandidateHistory history, int maxLeaves, int maxAddressesPerHost) {
        return build(paths, stacks, alpn, stack -> targets, history, maxLeaves, maxAddressesPerHost);
    }

    /**
     * Builds the tree where each stack has its own targets: a stack an HTTPS record names reaches the
     * record's port and address hints (RFC 9460 §7.2, §7.3), the others the origin's.
     *
     * @param targetsOf the resolved remote endpoints for one stack, in the order the application gave them
     */
    public static CandidateTree build(List<LocalPath> paths, List<ProtocolStack> stacks, List<String> alpn,
            java.util.function.Function<ProtocolStack, List<Target>> targetsOf, CandidateHistory history,
            int maxLeaves, int maxAddressesPerHost) {
        Objects.requireNonNull(history, "history");
        List<PathNode> pathNodes = new ArrayList<>();
        List<Leaf> all = new ArrayList<>();
        for (LocalPath path : paths) {
            List<StackNode> stackNodes = new ArrayList<>();
            for (ProtocolStack stack : stacks) {
                List<String> offered = stack.capabilities().secure() ? alpn : List.of();
                // (address, peer name) pairs, each host capped, then all together ordered.
                List<InetSocketAddress> addresses = new ArrayList<>();
                List<String> names = new ArrayList<>();
                for (Target target : targetsOf.apply(stack)) {
                    List<InetSocketAddress> ordered = order(target.addresses());
                    for (InetSocketAddress address : ordered.subList(0, Math.min(maxAddressesPerHost, ordered.size()))) {
                        if (!addresses.contains(address)) {
                            addresses.add(address);
                            names.add(target.peerName());
                        }
                    }
                }
                List<InetSocketAddress> order = order(addresses);
                List<Leaf> leaves = new ArrayList<>();
                for (InetSocketAddress address : order) {
                    if (path.matches(address) && all.size() + leaves.size() < maxLeaves) {
                        leaves.add(new Leaf(path, stack, offered, address, names.get(addresses.indexOf(address))));
                    }
                }
                // Stable: equal history keeps the RFC 6724 / interleaved order. Each rank is read
                // once: the cache decays and learns from other loops meanwhile, and a comparator
                // whose answers change during the sort breaks TimSort's contract.
                if (leaves.size() > 1) {
                    java.util.Map<Leaf, Integer> ranks = new java.util.IdentityHashMap<>();
                    for (Leaf leaf : leaves) {
                        ranks.put(leaf, history.rank(leaf));
                    }
                    leaves.sort(Comparator.comparingInt(ranks::get));
                }
                all.addAll(leaves);
                stackNodes.add(new StackNode(stack, offered, leaves));
            }
            pathNodes.add(new PathNode(path, stackNodes));
        }
        return new CandidateTree(pathNodes, all);
    }

    /**
     * RFC 6724 §6 Rule 6 (precedence of the default policy table, stable otherwise), then the
     * families interleaved starting with the first address's family (RFC 8305 §4, first-family
     * count 1); duplicates go.
     */
    public static List<InetSocketAddress> order(List<InetSocketAddress> addresses) {
        int n = addresses.size();
        if (n <= 1) {
            return List.copyOf(addresses); // one address is in order (and a literal's usual case)
        }
        // Built per candidate tree, i.e. per Connection (issue 21 item 1): each address's precedence
        // is computed once (it copies an IPv6 address's bytes), not once per comparison.
        List<InetSocketAddress> unique;
        if (n <= 16) {
            // A host's few addresses: a linear scan, without a hash set per Connection.
            unique = new ArrayList<>(n);
            for (InetSocketAddress a : addresses) {
                if (!unique.contains(a)) {
                    unique.add(a);
                }
            }
        } else {
            unique = new ArrayList<>(new LinkedHashSet<>(addresses));
        }
        int m = unique.size();
        InetSocketAddress[] sorted = unique.toArray(new InetSocketAddress[0]);
        int[] precedence = new int[m];
        for (int i = 0; i < m; i++) {
            precedence[i] = precedence(sorted[i].getAddress());
        }
        // Stable insertion sort, highest precedence first: the lists are a host's few addresses.
        for (int i = 1; i < m; i++) {
            InetSocketAddress a = sorted[i];
            int p = precedence[i];
            int j = i - 1;
            while (j >= 0 && precedence[j] < p) {
                sorted[j + 1] = sorted[j];
                precedence[j + 1] = precedence[j];
                j--;
            }
            sorted[j + 1] = a;
            precedence[j + 1] = p;
        }
        boolean firstIsV6 = sorted[0].getAddress() instanceof Inet6Address;
        List<InetSocketAddress> out = new ArrayList<>(m);
        // The families interleaved: the i-th of the first family, then the i-th of the other.
        int nextFirst = 0;
        int nextSecond = 0;
        while (out.size() < m) {
            nextFirst = nextOf(sorted, nextFirst, firstIsV6);
            if (nextFirst < m) {
                out.add(sorted[nextFirst++]);
            }
            nextSecond = nextOf(sorted, nextSecond, !firstIsV6);
            if (nextSecond < m) {
                out.add(sorted[nextSecond++]);
            }
        }
        return out;
    }

    /** The index of the first address at or after {@code from} whose family is IPv6 if {@code v6}, else IPv4. */
    private static int nextOf(InetSocketAddress[] sorted, int from, boolean v6) {
        int i = from;
        while (i < sorted.length && (sorted[i].getAddress() instanceof Inet6Address) != v6) {
            i++;
        }
        return i;
    }

    /** The precedence column of RFC 6724 §2.1's default policy table. */
    static int precedence(InetAddress address) {
        if (address == null) {
            return 40;
        }
        if (address instanceof Inet4Address) {
            return 35; // ::ffff:0:0/96
        }
        byte[] b = address.getAddress();
        if (address.isLoopbackAddress()) {
            return 50; // ::1/128
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 0x20 && second == 0x02) {
            return 30; // 2002::/16 6to4
        }
        if (first == 0x20 && second == 0x01 && b[2] == 0 && b[3] == 0) {
            return 5; // 2001::/32 Teredo
        }
        if ((first & 0xfe) == 0xfc) {
            return 3; // fc00::/7 ULA
        }
        if (first == 0x3f && second == 0xfe) {
            return 1; // 3ffe::/16 6bone
        }
        if (first == 0xfe && (second & 0xc0) == 0xc0) {
            return 1; // fec0::/10 site-local
        }
        boolean zero96 = true;
        for (int i = 0; i < 12; i++) {
            zero96 &= b[i] == 0;
        }
        if (zero96) {
            return 1; // ::/96 IPv4-compatible
        }
        return 40; // ::/0
    }
}

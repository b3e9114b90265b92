package io.taps.internal.gather;

import io.taps.monitor.EstablishmentReport;
import io.taps.spi.ProtocolStack;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
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
    /**
     * {@link #notStartedLines()}, built once: a Preconnection's Initiates share one tree
     * ({@link CandidateTreeMemo}), so its leaves' report lines need not be made per Connection.
     */
    private List<EstablishmentReport.Attempt> notStartedLines;
    /**
     * The last tree {@link ProxyBranches} built on this one, with what it was built from: a shared
     * direct tree ({@link CandidateTreeMemo}) gets the same proxy branches on every Initiate of its
     * snapshot, so they, their leaves and report lines are made once, not per Connection (issue 21,
     * figure 9). Volatile and immutable: Initiates on several event loops read it.
     */
    volatile ProxyBranches.Proxied proxied;

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

    /**
     * The report's line of each of {@link #leaves()}, index for index, while its attempt has not
     * started: what a race reports of the leaves it has not reached, made once per tree. Racy
     * across event loops like {@link #toReport()}: a lost write only makes the lines again.
     */
    public List<EstablishmentReport.Attempt> notStartedLines() {
        List<EstablishmentReport.Attempt> built = notStartedLines;
        if (built == null) {
            EstablishmentReport.Attempt[] lines = new EstablishmentReport.Attempt[leaves.size()];
            for (int i = 0; i < lines.length; i++) {
                lines[i] = leaves.get(i).notStartedLine();
            }
            built = List.of(lines);
            notStartedLines = built;
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
        List<List<Target>> targets = new ArrayList<>(stacks.size());
        for (ProtocolStack stack : stacks) {
            targets.add(targetsOf.apply(stack));
        }
        return ranked(unranked(paths, stacks, alpn, targets, maxLeaves, maxAddressesPerHost), history, null);
    }

    /**
     * The tree before the history ranks it: each stack's leaves in RFC 6724 / interleaved order, the
     * {@code maxLeaves} bound applied in that order. A pure function of its arguments, which a
     * {@link CandidateTreeMemo} reuses for the next Connection with the same ones.
     *
     * @param targets per stack, index for index, the resolved remote endpoints in the order given
     */
    static List<PathNode> unranked(List<LocalPath> paths, List<ProtocolStack> stacks, List<String> alpn,
            List<List<Target>> targets, int maxLeaves, int maxAddressesPerHost) {
        List<PathNode> pathNodes = new ArrayList<>(paths.size());
        int leafCount = 0;
        for (LocalPath path : paths) {
            List<StackNode> stackNodes = new ArrayList<>(stacks.size());
            for (int s = 0; s < stacks.size(); s++) {
                ProtocolStack stack = stacks.get(s);
                List<String> offered = stack.capabilities().secure() ? alpn : List.of();
                // (address, peer name) pairs, each host capped, then all together ordered.
                List<InetSocketAddress> addresses = new ArrayList<>();
                List<String> names = new ArrayList<>();
                for (Target target : targets.get(s)) {
                    List<InetSocketAddress> ordered = order(target.addresses());
                    int kept = Math.min(maxAddressesPerHost, ordered.size());
                    for (int i = 0; i < kept; i++) {
                        InetSocketAddress address = ordered.get(i);
                        if (!addresses.contains(address)) {
                            addresses.add(address);
                            names.add(target.peerName());
                        }
                    }
                }
                List<InetSocketAddress> order = order(addresses);
                List<Leaf> leaves = new ArrayList<>();
                for (InetSocketAddress address : order) {
                    if (path.matches(address) && leafCount + leaves.size() < maxLeaves) {
                        leaves.add(new Leaf(path, stack, offered, address, names.get(addresses.indexOf(address))));
                    }
                }
                leafCount += leaves.size();
                stackNodes.add(new StackNode(stack, offered, leaves));
            }
            pathNodes.add(new PathNode(path, stackNodes));
        }
        return pathNodes;
    }

    /**
     * {@code unranked} with each stack's leaves in history order (stable: equal history keeps the
     * RFC 6724 / interleaved order); {@code previous} itself when that is its order, leaf for leaf.
     * Each rank is read once: the cache decays and learns from other loops meanwhile, and a
     * comparator whose answers change during the sort breaks the sort's contract.
     */
    static CandidateTree ranked(List<PathNode> unranked, CandidateHistory history, CandidateTree previous) {
        List<PathNode> pathNodes = null;
        boolean same = previous != null && previous.paths.size() == unranked.size();
        for (int p = 0; p < unranked.size(); p++) {
            PathNode path = unranked.get(p);
            List<StackNode> stackNodes = null;
            for (int s = 0; s < path.stacks().size(); s++) {
                StackNode node = path.stacks().get(s);
                List<Leaf> leaves = rankedLeaves(node.leaves(), history);
                if (same) {
                    List<StackNode> before = previous.paths.get(p).stacks();
                    same = before.size() == path.stacks().size() && sameLeaves(before.get(s).leaves(), leaves);
                }
                if (stackNodes == null) {
                    stackNodes = new ArrayList<>(path.stacks().size());
                }
                stackNodes.add(leaves == node.leaves() ? node : new StackNode(node.stack(), node.alpn(), leaves));
            }
            if (pathNodes == null) {
                pathNodes = new ArrayList<>(unranked.size());
            }
            pathNodes.add(stackNodes == null ? path : new PathNode(path.path(), stackNodes));
        }
        if (same) {
            return previous;
        }
        return of(pathNodes == null ? List.of() : pathNodes);
    }

    /** {@code leaves} stably sorted by rank; {@code leaves} itself when already in that order. */
    private static List<Leaf> rankedLeaves(List<Leaf> leaves, CandidateHistory history) {
        int n = leaves.size();
        if (n <= 1) {
            return leaves;
        }
        Leaf[] sorted = leaves.toArray(new Leaf[0]);
        int[] ranks = new int[n];
        boolean inOrder = true;
        for (int i = 0; i < n; i++) {
            ranks[i] = history.rank(sorted[i]);
            inOrder &= i == 0 || ranks[i - 1] <= ranks[i];
        }
        if (inOrder) {
            return leaves;
        }
        if (n > 64) {
            // Many leaves (a raised maxLeaves): a stable merge sort of the indices, not n^2 moves.
            Integer[] indices = new Integer[n];
            for (int i = 0; i < n; i++) {
                indices[i] = i;
            }
            java.util.Arrays.sort(indices, java.util.Comparator.comparingInt(i -> ranks[i]));
            Leaf[] out = new Leaf[n];
            for (int i = 0; i < n; i++) {
                out[i] = sorted[indices[i]];
            }
            return List.of(out);
        }
        // Stable insertion sort, lowest rank first: a few leaves per stack.
        for (int i = 1; i < n; i++) {
            Leaf leaf = sorted[i];
            int rank = ranks[i];
            int j = i - 1;
            while (j >= 0 && ranks[j] > rank) {
                sorted[j + 1] = sorted[j];
                ranks[j + 1] = ranks[j];
                j--;
            }
            sorted[j + 1] = leaf;
            ranks[j + 1] = rank;
        }
        return List.of(sorted);
    }

    private static boolean sameLeaves(List<Leaf> a, List<Leaf> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
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

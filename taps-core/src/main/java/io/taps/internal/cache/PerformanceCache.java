package io.taps.internal.cache;

import io.taps.monitor.PathStatistics;
import io.taps.internal.gather.CandidateHistory;
import io.taps.internal.gather.Leaf;
import io.taps.internal.gather.LocalPath;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The performance cache of RFC 9623 §9.2 (checklist M-64, M-67; design.md ): what past
 * connection attempts taught about each (remote address, local network), used to order the
 * addresses of the next race ({@link CandidateHistory}).
 *
 * <p><b>Key.</b> The remote {@link InetSocketAddress} (address and port: a blackholed port says
 * nothing about another) and the local network of the attempt's path, {@link #localNetwork}: the
 * interface name when the path names one, else the local address's prefix ({@code /24} IPv4,
 * {@code /64} IPv6), else {@code "default"} for the path on which the OS picks the source. The key
 * must be known before the attempt, since it orders the race, so the OS's later choice of source
 * address cannot be part of it.
 *
 * <p><b>Values.</b> RTT and establishment time are exponentially weighted moving averages (gains
 * 1/8 and 1/4, as RFC 6298 smooths RTT); the first sample sets them. Successes and failures are
 * counts that decay exponentially with the configured half-life, computed lazily from the time of
 * the last update. A failed attempt adds 1 failure; an attempt cancelled after it went unanswered
 * for at least one connection attempt delay (a blackhole, or a very slow path) adds
 * {@value #UNANSWERED_WEIGHT}.
 *
 * <p><b>Ranking.</b> Within a stack branch (lower first): addresses whose success record is at
 * least their failure record, grouped by establishment time in powers of two of milliseconds (only
 * a "significantly better" time reorders, M-67); then addresses without experience; last, addresses
 * whose decayed failures exceed their successes by more than {@value #BAD_MARGIN}. Because failures
 * decay, one unanswered attempt keeps an address last for one half-life and a failed one for two;
 * then it returns to its RFC 6724 place and is tried again, so a recovered address is found.
 *
 * <p><b>Bounds and threads.</b> At most {@code maxEntries}; beyond that the least recently updated
 * eighth goes (an LRU by update, done in a batch so the scan is rare). Updates come from the event
 * loops of many connections: a {@link ConcurrentHashMap} whose immutable entries are swapped by
 * {@code compute}, no global lock. One update per attempt outcome, nothing per message.
 */
public final class PerformanceCache implements CandidateHistory {
    /** Default bound on entries. */
    public static final int DEFAULT_MAX_ENTRIES = 4096;
    /** Default half-life of success and failure counts. */
    public static final Duration DEFAULT_HALF_LIFE = Duration.ofMinutes(10);
    /** The failure weight of an attempt that was never answered within the attempt delay. */
    public static final double UNANSWERED_WEIGHT = 0.5;
    /** How far decayed failures must exceed successes to rank an address last. */
    public static final double BAD_MARGIN = 0.25;

    static final int RANK_UNKNOWN = 100;
    private static final String DEFAULT = "default";
    /** A host has a handful of local addresses; beyond this many their prefixes are made per call. */
    private static final int MAX_PREFIXES = 256;
    static final int RANK_BAD = 200;
    private static final double RTT_GAIN = 1.0 / 8;
    private static final double ESTABLISHMENT_GAIN = 1.0 / 4;

    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final long halfLifeNanos;
    private final LongSupplier nanoClock;
    /**
     * The key's local network of the default path: {@code "default"}, or with the attachment. Made
     * once per attachment, not per key: every rank and update of an Initiate asks for it.
     */
    private volatile String defaultNetwork = DEFAULT;
    /** The attachment {@link #defaultNetwork} was made with; written by the path monitor's thread only. */
    private volatile String attachment;
    /** The keys' local networks of local addresses (their prefixes), made once per address; bounded. */
    private final ConcurrentHashMap<InetAddress, String> prefixes = new ConcurrentHashMap<>();

    /** Where one remote address was reached from. */
    record Key(InetSocketAddress remote, String localNetwork) {
    }

    /** What is known about one key; replaced as a whole on each update. Times in nanoseconds, -1 unknown. */
    record Entry(long rttNanos, long establishmentNanos, double successes, double failures, long updatedNanos) {
    }

    /** A cache with the default size and half-life. */
    public PerformanceCache() {
        this(DEFAULT_MAX_ENTRIES, DEFAULT_HALF_LIFE);
    }

    /**
     * @param maxEntries the most entries kept; 0 keeps none (no ranking by experience)
     * @param halfLife how long until a success or failure counts half
     */
    public PerformanceCache(int maxEntries, Duration halfLife) {
        this(maxEntries, halfLife, System::nanoTime);
    }

    PerformanceCache(int maxEntries, Duration halfLife, LongSupplier nanoClock) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must not be negative, was " + maxEntries);
        }
        if (halfLife.isNegative() || halfLife.isZero()) {
            throw new IllegalArgumentException("halfLife must be positive, was " + halfLife);
        }
        this.maxEntries = maxEntries;
        this.halfLifeNanos = halfLife.toNanos();
        this.nanoClock = nanoClock;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public Duration halfLife() {
        return Duration.ofNanos(halfLifeNanos);
    }

    /**
     * The local network of a path (see the class comment): interface name, else local prefix,
     * else {@code "default"}.
     */
    public static String localNetwork(LocalPath path) {
        if (path.interfaceName() != null) {
            return path.interfaceName();
        }
        InetAddress address = path.address();
        if (address == null) {
            return DEFAULT;
        }
        return LocalPath.prefixOf(address);
    }


    /**
     * The networks the host is attached to now, from the path monitor
     * ({@code SystemInterfaces.Snapshot#attachment()}), or null when unknown. The path on which the
     * OS picks the source address is keyed on it ({@code "default via eth0 192.0.2.0/24"}), so that
     * what was learnt on one network is not applied on the next one the host moves to.
     */
    public void attachedNetwork(String network) {
        // Every poll of the path monitor says it again; a new key string only when it changed.
        if (!java.util.Objects.equals(network, attachment)) {
            this.defaultNetwork = network == null ? DEFAULT : DEFAULT + " via " + network;
            this.attachment = network;
        }
    }

    /** The key's local network for {@code path}: {@link #localNetwork}, with the attachment for the default path. */
    public String networkOf(LocalPath path) {
        if (path.interfaceName() != null) {
            return path.interfaceName();
        }
        InetAddress address = path.address();
        if (address == null) {
            return defaultNetwork;
        }
        String prefix = prefixes.get(address);
        if (prefix == null) {
            prefix = LocalPath.prefixOf(address);
            if (prefixes.size() < MAX_PREFIXES) {
                prefixes.putIfAbsent(address, prefix);
            }
        }
        return prefix;
    }

    // ------------------------------------------------------------------ learning

    /**
     * An attempt on {@code leaf} succeeded after {@code establishment}; {@code rtt} is a measured
     * round-trip time, or {@code null}.
     */
    public void succeeded(Leaf leaf, Duration establishment, Duration rtt) {
        long establishmentNanos = establishment.toNanos();
        long rttNanos = rtt == null ? -1 : rtt.toNanos();
        update(key(leaf), (old, now) -> new Entry(
                rttNanos < 0 ? (old == null ? -1 : old.rttNanos) : smooth(old == null ? -1 : old.rttNanos, rttNanos,
                        RTT_GAIN),
                smooth(old == null ? -1 : old.establishmentNanos, establishmentNanos, ESTABLISHMENT_GAIN),
                decayed(old, old == null ? 0 : old.successes, now) + 1, decayed(old, old == null ? 0 : old.failures,
                        now), now));
    }

    /**
     * A round-trip time measured during the life of the Connection won on {@code leaf} (RFC 9623
     * §9.2: RTT is learnt from live connections too, not only at establishment): smoothed into the
     * entry's RTT like any sample; counts are decayed to now and otherwise left alone. A key with no
     * entry (evicted meanwhile) gets none: an RTT alone says nothing about success.
     */
    public void rttSampled(Leaf leaf, Duration rtt) {
        if (maxEntries == 0 || rtt == null || rtt.isNegative() || rtt.isZero()) {
            return;
        }
        long now = nanoClock.getAsLong();
        entries.computeIfPresent(key(leaf), (k, old) -> new Entry(smooth(old.rttNanos, rtt.toNanos(), RTT_GAIN),
                old.establishmentNanos, decayed(old, old.successes, now), decayed(old, old.failures, now), now));
    }

    /** An attempt on {@code leaf} failed (refused, unreachable, handshake failure). */
    public void failed(Leaf leaf) {
        addFailure(leaf, 1);
    }

    /** An attempt on {@code leaf} got no answer within the attempt delay and was cancelled. */
    public void unanswered(Leaf leaf) {
        addFailure(leaf, UNANSWERED_WEIGHT);
    }

    private void addFailure(Leaf leaf, double weight) {
        update(key(leaf), (old, now) -> old == null ? new Entry(-1, -1, 0, weight, now)
                : new Entry(old.rttNanos, old.establishmentNanos, decayed(old, old.successes, now),
                        decayed(old, old.failures, now) + weight, now));
    }

    @FunctionalInterface
    private interface Merge {
        Entry apply(Entry old, long now);
    }

    private void update(Key key, Merge merge) {
        if (maxEntries == 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        entries.compute(key, (k, old) -> merge.apply(old, now));
        if (entries.size() > maxEntries) {
            evictLeastRecentlyUpdated();
        }
    }

    /** Drops the least recently updated eighth (at least one) so the scan runs once per many inserts. */
    private void evictLeastRecentlyUpdated() {
        List<Map.Entry<Key, Entry>> all = new ArrayList<>(entries.entrySet());
        // Down to the bound less an eighth; below 8 entries just to the bound, so the entry that was
        // just updated is never evicted with the rest (a bound of 1 kept nothing).
        int target = maxEntries - maxEntries / 8;
        if (all.size() <= target) {
            return;
        }
        all.sort(Comparator.comparingLong(e -> e.getValue().updatedNanos));
        for (int i = 0; i < all.size() - target; i++) {
            entries.remove(all.get(i).getKey(), all.get(i).getValue());
        }
    }

    private static long smooth(long old, long sample, double gain) {
        return old < 0 ? sample : Math.round(old + gain * (sample - old));
    }

    private double decayed(Entry entry, double value, long now) {
        if (entry == null || value == 0) {
            return value;
        }
        long age = Math.max(0, now - entry.updatedNanos);
        return value * Math.pow(0.5, (double) age / halfLifeNanos);
    }

    // ------------------------------------------------------------------ ranking

    @Override
    public int rank(Leaf leaf) {
        Entry entry = entries.get(key(leaf));
        if (entry == null) {
            return RANK_UNKNOWN;
        }
        long now = nanoClock.getAsLong();
        double successes = decayed(entry, entry.successes, now);
        double failures = decayed(entry, entry.failures, now);
        if (failures > successes + BAD_MARGIN) {
            return RANK_BAD;
        }
        if (successes > 0 && successes >= failures && entry.establishmentNanos >= 0) {
            long millis = entry.establishmentNanos / 1_000_000;
            return 64 - Long.numberOfLeadingZeros(millis); // 0 for < 1 ms, then one step per doubling
        }
        return RANK_UNKNOWN;
    }

    /** Whether {@code remote} over {@code path} ranks last now (its failures outweigh its successes). */
    public boolean avoided(InetSocketAddress remote, LocalPath path) {
        Entry entry = entries.get(new Key(remote, networkOf(path)));
        if (entry == null) {
            return false;
        }
        long now = nanoClock.getAsLong();
        return decayed(entry, entry.failures, now) > decayed(entry, entry.successes, now) + BAD_MARGIN;
    }

    private Key key(Leaf leaf) {
        return new Key(leaf.remote(), networkOf(leaf.path()));
    }

    // ------------------------------------------------------------------ inspection

    public int size() {
        return entries.size();
    }

    public void clear() {
        entries.clear();
    }

    /** Every entry with its counts decayed to now, most recently updated first. */
    public List<PathStatistics> snapshot() {
        long now = nanoClock.getAsLong();
        Instant wallNow = Instant.now();
        List<Map.Entry<Key, Entry>> all = new ArrayList<>(entries.entrySet());
        all.sort(Comparator.comparingLong((Map.Entry<Key, Entry> e) -> e.getValue().updatedNanos).reversed());
        List<PathStatistics> out = new ArrayList<>(all.size());
        for (Map.Entry<Key, Entry> e : all) {
            Entry v = e.getValue();
            out.add(new PathStatistics(e.getKey().remote(), e.getKey().localNetwork(), optional(v.rttNanos),
                    optional(v.establishmentNanos), decayed(v, v.successes, now), decayed(v, v.failures, now),
                    wallNow.minusNanos(Math.max(0, now - v.updatedNanos))));
        }
        return List.copyOf(out);
    }

    private static Optional<Duration> optional(long nanos) {
        return nanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(nanos));
    }
}

package io.taps.internal.path;

import io.taps.internal.blocking.BlockingWork;
import io.taps.monitor.NetworkPath;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The machine's network interfaces for the parts of taps that run on event loops (RFC 9623 §4.1.1
 * path gathering for the {@code interface} property, LocalEndpoints that name an interface, IPv6
 * scope zones, multicast interfaces; design.md Q-20). Enumerating interfaces makes system calls,
 * so a snapshot is read on the executor for blocking work, never on a loop, and reused while it is
 * younger than {@link #MAX_AGE}; the path monitor, when it runs, hands every poll in as well.
 * Concurrent requests for a stale snapshot share one read.
 */
public final class SystemInterfaces {
    /** How long a snapshot answers without a new read: interfaces change rarely, lookups come in bursts. */
    public static final Duration MAX_AGE = Duration.ofSeconds(1);

    /** One interface as the system listed it. */
    public record Interface(String name, int index, boolean up, List<InetAddress> addresses) {
        public Interface {
            addresses = List.copyOf(addresses);
        }
    }

    /** The interfaces at one moment, by name. */
    public record Snapshot(Map<String, Interface> byName) {
        public Snapshot {
            byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
        }

        /** The interface called {@code name}, if the system has it. */
        public Optional<Interface> named(String name) {
            return Optional.ofNullable(byName.get(name));
        }

        /** The up interfaces and their addresses, in the shape candidate gathering takes. */
        public Map<String, List<InetAddress>> upAddresses() {
            Map<String, List<InetAddress>> up = new LinkedHashMap<>();
            byName.values().stream().filter(Interface::up).forEach(nif -> up.put(nif.name(), nif.addresses()));
            return up;
        }

        /**
         * The networks the host is attached to: every up interface with a global or unique-local
         * address, and its address prefixes (/24, /64), sorted; null when only loopback or
         * link-local addresses are up. It changes when the host moves to another network, so the
         * performance cache keys the OS-chosen path on it (RFC 9623 §9.2).
         */
        public String attachment() {
            java.util.TreeSet<String> parts = new java.util.TreeSet<>();
            for (Interface nif : byName.values()) {
                if (!nif.up()) {
                    continue;
                }
                java.util.TreeSet<String> prefixes = new java.util.TreeSet<>();
                for (InetAddress address : nif.addresses()) {
                    if (!address.isLoopbackAddress() && !address.isLinkLocalAddress() && !address.isAnyLocalAddress()) {
                        prefixes.add(io.taps.internal.gather.LocalPath.prefixOf(address));
                    }
                }
                if (!prefixes.isEmpty()) {
                    parts.add(nif.name() + " " + String.join(" ", prefixes));
                }
            }
            return parts.isEmpty() ? null : String.join(", ", parts);
        }

        /** Every interface as a {@link NetworkPath}. */
        public Map<String, NetworkPath> paths() {
            Map<String, NetworkPath> paths = new LinkedHashMap<>();
            byName.values().forEach(nif -> paths.put(nif.name(), NetworkPath.of(nif.name(), nif.up(),
                    new ArrayList<>(nif.addresses()))));
            return paths;
        }
    }

    private final Executor blocking;
    private final Supplier<Snapshot> reader;
    private volatile Snapshot snapshot;
    private volatile long readAtNanos;
    private CompletableFuture<Snapshot> reading;

    /** Reads the system's interfaces on {@code blocking}. */
    public SystemInterfaces(Executor blocking) {
        this(blocking, SystemInterfaces::readSystem);
    }

    SystemInterfaces(Executor blocking, Supplier<Snapshot> reader) {
        this.blocking = blocking;
        this.reader = reader;
    }

    /**
     * A fresh snapshot: completed at once when the last one is fresh, otherwise completed on the
     * blocking executor after a read (which may fail with the read's error).
     */
    public CompletionStage<Snapshot> current() {
        Snapshot last = snapshot;
        if (last != null && System.nanoTime() - readAtNanos < MAX_AGE.toNanos()) {
            return CompletableFuture.completedFuture(last);
        }
        synchronized (this) {
            CompletableFuture<Snapshot> read = reading;
            if (read == null) {
                read = BlockingWork.supply(reader, blocking);
                reading = read;
                read.whenComplete((done, failure) -> {
                    synchronized (this) {
                        if (done != null) {
                            accept(done);
                        }
                        reading = null;
                    }
                });
            }
            return read;
        }
    }

    /** Takes a snapshot read elsewhere (the path monitor's poll) as the current one. */
    public void accept(Snapshot fresh) {
        snapshot = fresh;
        readAtNanos = System.nanoTime();
    }

    /** Reads the interfaces now: system calls, so never on an event loop. */
    public static Snapshot readSystem() {
        BlockingWork.check("enumerating network interfaces");
        Map<String, Interface> all = new LinkedHashMap<>();
        try {
            java.util.Enumeration<NetworkInterface> nifs = NetworkInterface.getNetworkInterfaces();
            for (NetworkInterface nif : nifs == null ? List.<NetworkInterface>of() : Collections.list(nifs)) {
                boolean up;
                try {
                    up = nif.isUp();
                } catch (SocketException vanished) {
                    continue;
                }
                all.put(nif.getName(), new Interface(nif.getName(), nif.getIndex(), up,
                        Collections.list(nif.getInetAddresses())));
            }
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list network interfaces: " + e.getMessage(), e);
        }
        return new Snapshot(all);
    }
}

package io.taps.internal.path;

import io.taps.monitor.NetworkPath;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Watches the local interfaces (RFC 9623 §7.2, M-58, M-59; design.md Q-20): polls its reader
 * ({@link SystemInterfaces#readSystem()}) every interval on its own daemon thread, never on an event
 * loop (the enumeration makes system calls), and hands every non-empty {@link PathChanges} to a
 * listener on that thread; the listener passes PathChange on to each affected Connection's event
 * loop.
 *
 * <p>Where the kernel tells of changes as they happen ({@link NetlinkPathEvents} on Linux with
 * epoll), each event asks for {@link #refreshSoon()}: a read on the monitor's thread after
 * {@link #DEBOUNCE}, paced by {@link EventReadPacing} (two reads at once after a quiet period, then
 * one per {@link #MIN_SPACING}), so that a flapping link costs at most one read, and one PathChange
 * per affected Connection, per spacing, while a change after a quiet period is read in milliseconds.
 * Polling continues as the safety net, and is all there is elsewhere.
 *
 * <p>The monitor only reports. It never closes a Connection: a path that disappears may come back
 * (a cable replugged, Wi-Fi regained), and the transport decides whether the connection survives.
 */
public final class PathMonitor implements AutoCloseable {
    /** How long an event waits for the rest of its burst (an address change comes with link and IPv6 churn). */
    public static final Duration DEBOUNCE = Duration.ofMillis(5);
    /** The least time between event-driven reads under churn: the bound on work and PathChanges. */
    public static final Duration MIN_SPACING = Duration.ofMillis(100);

    private final Supplier<Map<String, NetworkPath>> reader;
    private final Consumer<PathChanges> listener;
    private final ScheduledExecutorService timer;
    private volatile Map<String, NetworkPath> current;
    private boolean refreshScheduled;
    private final EventReadPacing pacing = new EventReadPacing(DEBOUNCE.toNanos(), MIN_SPACING.toNanos(),
            System.nanoTime());
    private volatile boolean closed;

    /** Starts polling {@code reader} every {@code interval}; the first snapshot is read now. */
    public PathMonitor(Duration interval, Supplier<Map<String, NetworkPath>> reader, Consumer<PathChanges> listener) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("the path monitor interval must be positive, was " + interval);
        }
        this.reader = reader;
        this.listener = listener;
        Map<String, NetworkPath> first;
        try {
            first = reader.get();
        } catch (RuntimeException unreadable) {
            // Start from nothing; the first successful poll reports every interface as appeared.
            first = Map.of();
        }
        this.current = first;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "taps-path-monitor");
            thread.setDaemon(true);
            return thread;
        });
        long nanos = interval.toNanos();
        timer.scheduleWithFixedDelay(this::poll, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /** The interfaces as last seen. */
    public List<NetworkPath> paths() {
        return List.copyOf(current.values());
    }

    /**
     * The up interfaces of the last snapshot and their addresses, in the shape candidate gathering
     * takes ({@code PathGatherer.Interfaces}): gathering then makes no system calls.
     */
    public Map<String, List<InetAddress>> upInterfaces() {
        Map<String, List<InetAddress>> up = new LinkedHashMap<>();
        for (NetworkPath path : current.values()) {
            if (path.up()) {
                up.put(path.name(), path.addresses());
            }
        }
        return up;
    }

    /**
     * Asks for a read soon (an interface event arrived): at most one is pending, and it runs
     * {@link #DEBOUNCE} from now, or later when {@link EventReadPacing} has no read left for now.
     * Cheap and non-blocking: called on an event loop.
     */
    public void refreshSoon() {
        synchronized (this) {
            if (refreshScheduled || closed) {
                return;
            }
            refreshScheduled = true;
            long delay = pacing.delayNanos(System.nanoTime());
            try {
                timer.schedule(() -> {
                    synchronized (this) {
                        refreshScheduled = false;
                        pacing.readAt(System.nanoTime());
                    }
                    poll();
                }, delay, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                refreshScheduled = false;
            }
        }
    }

    /** Reads the interfaces once and reports what changed; runs on the monitor thread. */
    void poll() {
        Map<String, NetworkPath> next;
        try {
            next = reader.get();
        } catch (RuntimeException unreadable) {
            // A failed enumeration says nothing about the paths; the next poll tries again.
            return;
        }
        PathChanges changes = PathChanges.between(current, next);
        current = next;
        if (!changes.isEmpty()) {
            try {
                listener.accept(changes);
            } catch (RuntimeException ignored) {
                // A failing listener must not end the timer (a thrown exception would cancel it).
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
    }
}

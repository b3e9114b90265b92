package io.taps.path;

import io.taps.Connection;
import io.taps.ConnectionEventHandler;
import io.taps.Listener;
import io.taps.TransportServices;
import io.taps.endpoint.LocalEndpoint;
import io.taps.endpoint.RemoteEndpoint;
import io.taps.monitor.PathStatistics;
import io.taps.security.SecurityParameters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Run by {@link NetlinkPathEventsTest} in a child JVM inside a network namespace holding a veth pair
 * {@code eth7}/{@code wlan7} with 10.77.0.1/24 on {@code eth7}. The path monitor polls only once a
 * minute, so a PathChange within 100 ms can only come from the kernel's rtnetlink events. Prints
 * {@code key=value} lines.
 */
public final class NetlinkScenarios {
    private static final String ADDRESS = "10.77.0.1";

    private NetlinkScenarios() {
    }

    public static void main(String[] args) throws Exception {
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(2)
                .pathMonitorInterval(Duration.ofMinutes(1)).build()) {
            Listener listener = taps.preconnection().security(SecurityParameters.disabled())
                    .local(LocalEndpoint.ofAddress(ADDRESS, 0)).build().listen(NetlinkScenarios::echo);
            await(listener.ready());
            LinkedBlockingQueue<Long> changes = new LinkedBlockingQueue<>();
            AtomicInteger count = new AtomicInteger();
            Connection client = taps.preconnection().security(SecurityParameters.disabled())
                    .remote(RemoteEndpoint.ofAddress(ADDRESS, listener.port()))
                    .local(LocalEndpoint.ofAddress(ADDRESS, 0)).build().initiate(new ConnectionEventHandler() {
                        @Override
                        public void pathChange(Connection connection) {
                            changes.add(System.nanoTime());
                            count.incrementAndGet();
                        }
                    });
            await(client.ready());
            System.out.println("network1=" + defaultNetwork(taps, listener.port()));

            // Warm-up: a second address comes and goes (the whole path runs once before it is timed).
            ip("addr", "add", "10.77.0.9/24", "dev", "eth7");
            take(changes, "warm-up add");
            ip("addr", "del", "10.77.0.9/24", "dev", "eth7");
            take(changes, "warm-up del");
            awaitQuiet(count);
            changes.clear();

            // ip runs already and has answered a first command on stdin (ip -batch flushes after each),
            // so the time measured is the change and its event, not the start of a process (100 ms
            // and more here, longer under load: Process.start returns before ip reads its input).
            Process waiting = new ProcessBuilder("ip", "-batch", "-").redirectErrorStream(true).start();
            awaitAnswer(waiting, "link show dev lo", "link/loopback");
            long start = System.nanoTime();
            writeLine(waiting, "addr del " + ADDRESS + "/24 dev eth7");
            long event = take(changes, "address removal");
            System.out.println("removalLatencyMicros=" + (event - start) / 1000);
            waiting.getOutputStream().close();
            if (waiting.waitFor() != 0) {
                throw new IllegalStateException("ip -batch failed: " + new String(waiting.getInputStream().readAllBytes(),
                        StandardCharsets.UTF_8));
            }
            ip("addr", "add", ADDRESS + "/24", "dev", "eth7");
            take(changes, "address back");

            // 100 flaps of the link in one ip process, as fast as the kernel takes them.
            awaitQuiet(count);
            int fdsBefore = openFiles();
            int threadsBefore = Thread.activeCount();
            int before = count.get();
            Path batch = Files.createTempFile("flap", ".ip");
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                lines.add("link set eth7 down");
                lines.add("link set eth7 up");
            }
            Files.write(batch, lines, StandardCharsets.UTF_8);
            long flapStart = System.nanoTime();
            ip("-batch", batch.toString());
            System.out.println("flapMillis=" + (System.nanoTime() - flapStart) / 1_000_000);
            Files.delete(batch);
            awaitQuiet(count);
            System.out.println("flapEvents=" + (count.get() - before));
            System.out.println("fdsBefore=" + fdsBefore);
            System.out.println("fdsAfter=" + openFiles());
            System.out.println("threadsBefore=" + threadsBefore);
            System.out.println("threadsAfter=" + Thread.activeCount());
            await(client.send("still"));
            System.out.println("echoAfterFlaps=" + await(client.receive()).asString());
            client.close();
            await(client.closed());

            // The host moves to another network: the performance cache keys the default path on it.
            ip("addr", "add", "10.88.0.1/24", "dev", "wlan7");
            ip("addr", "del", ADDRESS + "/24", "dev", "eth7");
            Listener moved = taps.preconnection().security(SecurityParameters.disabled())
                    .local(LocalEndpoint.ofAddress("10.88.0.1", 0)).build().listen(NetlinkScenarios::echo);
            await(moved.ready());
            awaitCondition(() -> taps.paths().stream().anyMatch(p -> p.name().equals("wlan7")
                    && p.addresses().stream().anyMatch(a -> a.getHostAddress().equals("10.88.0.1")))
                    && taps.paths().stream().noneMatch(p -> p.addresses().stream()
                            .anyMatch(a -> a.getHostAddress().equals(ADDRESS))));
            System.out.println("network2=" + defaultNetwork(taps, moved.port(), "10.88.0.1"));
            moved.stop();
            listener.stop();
            System.out.println("done=true");
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static String defaultNetwork(TransportServices taps, int port) throws Exception {
        return defaultNetwork(taps, port, ADDRESS);
    }

    /** Connects over the OS-chosen path and returns the performance cache's local network for it. */
    private static String defaultNetwork(TransportServices taps, int port, String address) throws Exception {
        Connection c = taps.preconnection().security(SecurityParameters.disabled())
                .remote(RemoteEndpoint.ofAddress(address, port)).build().initiate(new ConnectionEventHandler() { });
        await(c.ready());
        c.close();
        await(c.closed());
        for (PathStatistics s : taps.cachedState().performance()) {
            if (s.remote().getAddress().getHostAddress().equals(address) && s.remote().getPort() == port) {
                return s.localNetwork();
            }
        }
        return "none";
    }

    private static void echo(Connection connection) {
        connection.receive().thenAccept(m -> {
            connection.send(m);
            echo(connection);
        });
    }

    private static long take(LinkedBlockingQueue<Long> changes, String what) throws InterruptedException {
        Long at = changes.poll(10, TimeUnit.SECONDS);
        if (at == null) {
            throw new IllegalStateException("no PathChange after " + what);
        }
        return at;
    }

    /** Writes one command to a running {@code ip -batch -} and reads its output up to a line holding {@code marker}. */
    private static void awaitAnswer(Process ip, String command, String marker) throws IOException {
        writeLine(ip, command);
        java.io.BufferedReader out = new java.io.BufferedReader(
                new java.io.InputStreamReader(ip.getInputStream(), StandardCharsets.US_ASCII));
        for (String line = out.readLine(); ; line = out.readLine()) {
            if (line == null) {
                throw new IllegalStateException("ip -batch ended before answering " + command);
            }
            if (line.contains(marker)) {
                return;
            }
        }
    }

    /** Hands one command to a running {@code ip -batch -}. */
    private static void writeLine(Process ip, String command) throws IOException {
        ip.getOutputStream().write((command + "\n").getBytes(StandardCharsets.US_ASCII));
        ip.getOutputStream().flush();
    }

    /** Returns once no PathChange arrived for three monitor spacings (the burst is over). */
    private static void awaitQuiet(AtomicInteger count) throws InterruptedException {
        int last = -1;
        while (last != count.get()) {
            last = count.get();
            Thread.sleep(3 * io.taps.internal.path.PathMonitor.MIN_SPACING.toMillis());
        }
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }

    private static int openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }

    /** Runs ip and returns when it exited (System.nanoTime()). */
    private static long ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(command + " failed: " + out);
        }
        return System.nanoTime();
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}

package io.taps.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real blackholes for racing tests (RFC 9623 §4.3): an nftables rule in the project's own table
 * {@code inet taps_test_blackhole_<pid>} (one per test JVM) drops TCP SYNs to a loopback address
 * and port, so a connect there gets no answer at all. Managed by
 * {@code src/test/scripts/blackhole.sh}; tables of JVMs that no longer run are deleted before the
 * first use, each rule is removed by {@link #close()}, and this JVM's table is deleted at exit. Tests that need it are skipped (loudly) when not running as root or without nft.
 */
public final class Blackhole implements AutoCloseable {
    private static final Path SCRIPT = Path.of("src/test/scripts/blackhole.sh").toAbsolutePath();
    private static boolean prepared;

    private final int port;
    private boolean closed;

    private Blackhole(int port) {
        this.port = port;
    }

    /** Skips the calling test unless blackholes can be made here. */
    public static synchronized void assumeAvailable() {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean nft = Files.isExecutable(Path.of("/usr/sbin/nft")) || Files.isExecutable(Path.of("/sbin/nft"))
                || Files.isExecutable(Path.of("/usr/bin/nft"));
        if (!root || !nft) {
            System.err.println("!!! SKIPPING blackhole racing test: needs root and nftables (root=" + root + ", nft="
                    + nft + "); .ci/run installs nftables");
        }
        assumeTrue(root && nft, "blackhole tests need root and nft");
        if (!prepared) {
            run("cleanup-stale");
            run("cleanup");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    run("cleanup");
                } catch (RuntimeException ignored) {
                    // best effort at exit
                }
            }, "taps-blackhole-cleanup"));
            prepared = true;
        }
    }

    /** Drops SYNs to {@code address} ({@code ::1} or a 127/8 address) on {@code port} until closed. */
    public static Blackhole drop(String address, int port) {
        assumeAvailable();
        run("add", address, Integer.toString(port));
        return new Blackhole(port);
    }

    /** Drops every UDP datagram (e.g. QUIC) to {@code address} ({@code ::1} or a 127/8 address) on {@code port} until closed. */
    public static Blackhole dropUdp(String address, int port) {
        assumeAvailable();
        run("add-udp", address, Integer.toString(port));
        return new Blackhole(port);
    }

    /** Adds another dropped address on the same port. */
    public Blackhole also(String address) {
        run("add", address, Integer.toString(port));
        return this;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            run("remove", Integer.toString(port));
        }
    }

    private static void run(String... args) {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(SCRIPT.toString());
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("TAPS_BLACKHOLE_OWNER", Long.toString(ProcessHandle.current().pid()));
            Process process = builder.start();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("blackhole.sh " + String.join(" ", args) + " hung");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("blackhole.sh " + String.join(" ", args) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + SCRIPT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

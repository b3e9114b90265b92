package io.taps.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs a scenario in a child JVM inside a throw-away network namespace ({@code unshare -n}), so
 * tests can make loopback multicast-capable or add veth interfaces without touching the host's
 * root namespace (platform-notes.md "Recipes checked on this machine").
 *
 * <p>The child is the same {@code java} binary with the test classpath and the parent's
 * {@code -D}, {@code --add-opens} and {@code --enable-native-access} flags; it runs
 * {@code setup} shell commands first, then {@code mainClass}. The namespace disappears with the
 * child. The child's main prints machine-checkable lines ({@code key=value}) that the JUnit test
 * asserts on through {@link Result#value(String)}.
 */
public final class NetnsJvm {
    /** Makes {@code lo} up and multicast-capable, with the IPv4 and IPv6 multicast routes on it. */
    public static final List<String> MULTICAST_LOOPBACK = List.of(
            "ip link set lo up",
            "ip link set lo multicast on",
            "ip route add 224.0.0.0/4 dev lo",
            "ip -6 route add ff00::/8 dev lo table local 2>/dev/null || true");

    private NetnsJvm() {
    }

    /** The child's outcome. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** The value of the last {@code key=value} line the child printed, or null. */
        public String value(String key) {
            String found = null;
            for (String line : stdout.split("\n")) {
                if (line.startsWith(key + "=")) {
                    found = line.substring(key.length() + 1).trim();
                }
            }
            return found;
        }

        /** Every line the child printed, for assertion messages. */
        public String describe() {
            return "exit=" + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Skips the calling test loudly unless namespaces can be made here (root and unshare). */
    public static void assumeAvailable() {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean unshare = Files.isExecutable(Path.of("/usr/bin/unshare")) || Files.isExecutable(Path.of("/bin/unshare"));
        boolean ip = Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip"));
        if (!root || !unshare || !ip) {
            System.err.println("!!! SKIPPING network namespace test: needs root, unshare and ip (root=" + root
                    + ", unshare=" + unshare + ", ip=" + ip + ")");
        }
        assumeTrue(root && unshare && ip, "network namespace tests need root, unshare and ip");
    }

    /**
     * Runs {@code mainClass} with {@code args} in a new network namespace after {@code setup}, and
     * waits at most {@code timeout}; a child that overruns is killed and reported with exit -1.
     */
    public static Result run(List<String> setup, Class<?> mainClass, List<String> args, Duration timeout) {
        return run(setup, List.of(), mainClass, args, timeout);
    }

    /** {@link #run(List, Class, List, Duration)} with extra JVM flags for the child, e.g. {@code -Dtaps.transport=nio}. */
    public static Result run(List<String> setup, List<String> jvmFlags, Class<?> mainClass, List<String> args,
            Duration timeout) {
        assumeAvailable();
        List<String> java = javaCommand(jvmFlags, mainClass, args);
        String script = String.join("; ", setup) + (setup.isEmpty() ? "" : "; ") + "exec "
                + java.stream().map(NetnsJvm::quote).collect(Collectors.joining(" "));
        try {
            Path out = Files.createTempFile("taps-netns-", ".out");
            Path err = Files.createTempFile("taps-netns-", ".err");
            try {
                Process child = new ProcessBuilder("unshare", "-n", "sh", "-c", script)
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                int exit;
                if (child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    exit = child.exitValue();
                } else {
                    child.descendants().forEach(ProcessHandle::destroyForcibly);
                    child.destroyForcibly();
                    child.waitFor(5, TimeUnit.SECONDS);
                    exit = -1;
                }
                return new Result(exit, Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a namespace child: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the namespace child", e);
        }
    }

    /**
     * Starts {@code mainClass} in the existing named namespace {@code namespace} ({@code ip netns
     * exec}) with the test classpath and flags, and returns the running child with its standard
     * input and output as pipes (standard error goes to {@code stderr}), for scenarios where several
     * children talk to each other through the test, e.g. exchanging rendezvous candidates.
     */
    public static Process start(String namespace, Class<?> mainClass, List<String> args, Path stderr) {
        assumeAvailable();
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        command.addAll(javaCommand(List.of(), mainClass, args));
        try {
            return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a child in namespace " + namespace + ": " + e, e);
        }
    }

    /**
     * The command line of a child JVM like the one {@link #run} starts (this JVM's binary, test
     * classpath and {@code -D}/{@code --add-opens}/{@code --enable-native-access} flags, then
     * {@code jvmFlags}), for tests that start it themselves, e.g. under {@code ip netns exec}.
     */
    public static List<String> javaCommand(List<String> jvmFlags, Class<?> mainClass, List<String> args) {
        List<String> java = new ArrayList<>();
        java.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (flag.startsWith("-D") || flag.startsWith("--add-opens") || flag.startsWith("--add-exports")
                    || flag.startsWith("--enable-native-access")) {
                java.add(flag);
            }
        }
        java.addAll(jvmFlags);
        java.add("-cp");
        java.add(System.getProperty("java.class.path"));
        java.add(mainClass.getName());
        java.addAll(args);
        return java;
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\"'\"'") + "'";
    }
}

package io.taps.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.taps.testing.NetnsJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MPTCP over two real paths (issue 17): two network namespaces joined by two veth pairs (two
 * subnets), the kernel's path manager configured as an operator would ({@code ip mptcp endpoint
 * ... subflow} on the client, {@code signal} on the server, {@code ip mptcp limits}). A
 * multipath=Active taps client sends 50 MB to a multipath=Passive taps Listener in the other
 * namespace; a second subflow joins, the first path's link goes down mid-transfer, and every byte
 * arrives (SHA-256 on both sides). A namespace with net.mptcp.enabled=0 shows the fallback: a
 * Require fails with NoCandidates naming the sysctl, Active and Passive use TCP and say so.
 */
class MptcpNamespaceTest {
    private static final long TOTAL = 50L * 1024 * 1024;
    private static final int PORT = 5201;
    private static final String CLIENT_NS = "tapsmp" + ProcessHandle.current().pid() + "c";
    private static final String SERVER_NS = "tapsmp" + ProcessHandle.current().pid() + "s";
    private static boolean created;

    @BeforeAll
    static void twoNamespacesJoinedByTwoLinks() throws Exception {
        NetnsJvm.assumeAvailable();
        Path enabled = Path.of("/proc/sys/net/mptcp/enabled");
        boolean mptcp = Files.isReadable(enabled);
        if (!mptcp) {
            System.err.println("!!! SKIPPING MptcpNamespaceTest: this kernel has no MPTCP (no net.mptcp sysctls)");
        }
        assumeTrue(mptcp, "the kernel must have MPTCP (CONFIG_MPTCP)");
        created = true;
        sh("ip netns add " + CLIENT_NS, "ip netns add " + SERVER_NS,
                "ip -n " + CLIENT_NS + " link set lo up", "ip -n " + SERVER_NS + " link set lo up",
                "ip -n " + CLIENT_NS + " link add va type veth peer name va netns " + SERVER_NS,
                "ip -n " + CLIENT_NS + " link add vb type veth peer name vb netns " + SERVER_NS,
                "ip -n " + CLIENT_NS + " addr add 10.171.1.1/24 dev va",
                "ip -n " + SERVER_NS + " addr add 10.171.1.2/24 dev va",
                "ip -n " + CLIENT_NS + " addr add 10.171.2.1/24 dev vb",
                "ip -n " + SERVER_NS + " addr add 10.171.2.2/24 dev vb",
                "ip -n " + CLIENT_NS + " link set va up", "ip -n " + CLIENT_NS + " link set vb up",
                "ip -n " + SERVER_NS + " link set va up", "ip -n " + SERVER_NS + " link set vb up",
                "ip netns exec " + CLIENT_NS + " sh -c 'echo 1 > /proc/sys/net/mptcp/enabled'",
                "ip netns exec " + SERVER_NS + " sh -c 'echo 1 > /proc/sys/net/mptcp/enabled'",
                "ip -n " + CLIENT_NS + " mptcp limits set subflow 2 add_addr_accepted 2",
                "ip -n " + SERVER_NS + " mptcp limits set subflow 2 add_addr_accepted 2",
                "ip -n " + CLIENT_NS + " mptcp endpoint add 10.171.2.1 dev vb subflow",
                "ip -n " + SERVER_NS + " mptcp endpoint add 10.171.2.2 dev vb signal");
    }

    @AfterAll
    static void removeNamespaces() throws Exception {
        if (created) {
            new ProcessBuilder("sh", "-c", "ip netns del " + CLIENT_NS + "; ip netns del " + SERVER_NS)
                    .inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void fiftyMegabytesSurviveTheFirstPathGoingDownAfterASecondSubflowJoined() throws Exception {
        Process server = start(SERVER_NS, List.of("server", String.valueOf(PORT)));
        try {
            ChildOutput serverOut = ChildOutput.read(server);
            assertThat(serverOut.awaitLine("listening=", Duration.ofSeconds(30)))
                    .as("server started: %s", serverOut).isTrue();
            Process client = start(CLIENT_NS, List.of("client", "10.171.1.2", String.valueOf(PORT),
                    String.valueOf(TOTAL), "va"));
            ChildOutput clientOut = ChildOutput.read(client);
            assertThat(client.waitFor(90, TimeUnit.SECONDS)).as("client finished: %s", clientOut).isTrue();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("server finished: %s", serverOut).isTrue();
            String expected = expectedSha256();
            assertThat(client.exitValue()).as("client: %s", clientOut).isZero();
            assertThat(server.exitValue()).as("server: %s", serverOut).isZero();
            assertThat(serverOut.value("listener.stack")).isEqualTo("MPTCP");
            assertThat(serverOut.value("server.stack")).isEqualTo("MPTCP");
            assertThat(clientOut.value("client.stack")).isEqualTo("MPTCP");
            assertThat(clientOut.value("client.note")).startsWith("MPTCP in use");
            assertThat(clientOut.value("client.multipath")).isEqualTo("ACTIVE");
            assertThat(Long.parseLong(clientOut.value("client.joinsBeforeLinkDown")))
                    .as("a second subflow joined before the link went down").isGreaterThanOrEqualTo(1);
            assertThat(Long.parseLong(clientOut.value("client.linkDownAfterBytes"))).isLessThan(TOTAL);
            assertThat(serverOut.value("server.bytes")).isEqualTo(String.valueOf(TOTAL));
            assertThat(serverOut.value("server.sha256")).isEqualTo(expected);
            assertThat(clientOut.value("client.sha256")).isEqualTo(expected);
            assertThat(clientOut.value("client.serverSha256")).isEqualTo(expected);
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void withMptcpDisabledRequireFailsNamingTheSysctlAndActiveUsesTcp() {
        NetnsJvm.Result result = NetnsJvm.run(List.of("ip link set lo up", "echo 0 > /proc/sys/net/mptcp/enabled"),
                MptcpScenario.class, List.of("disabled"), Duration.ofSeconds(60));
        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.value("enabled")).isEqualTo("0");
        assertThat(result.value("require.reason")).as(result.describe()).isEqualTo("NoCandidates");
        assertThat(result.value("require.message")).contains("MPTCP removed because", "net.mptcp.enabled=0",
                "TCP removed by _taps.multipathTransport=REQUIRE");
        assertThat(result.value("listener.stack")).isEqualTo("TCP");
        assertThat(result.value("prefer.stack")).isEqualTo("TCP");
        assertThat(result.value("prefer.multipath")).isEqualTo("DISABLED");
        assertThat(result.value("prefer.echo")).isEqualTo("ping");
    }

    /** The SHA-256 of the client's data: {@code TOTAL} bytes of Random(42) in 1 MiB chunks. */
    private static String expectedSha256() throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        Random data = new Random(42);
        byte[] chunk = new byte[1 << 20];
        for (long done = 0; done < TOTAL; done += chunk.length) {
            data.nextBytes(chunk);
            digest.update(chunk);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static Process start(String namespace, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        command.addAll(NetnsJvm.javaCommand(List.of(), MptcpScenario.class, args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void sh(String... commands) throws Exception {
        for (String command : commands) {
            Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("fixture step failed: " + command + ": " + output);
            }
        }
    }

    /** A child's output, read as it comes, with the lines {@code key=value} it printed. */
    private static final class ChildOutput {
        private final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final CompletableFuture<Void> ended = new CompletableFuture<>();

        static ChildOutput read(Process process) {
            ChildOutput output = new ChildOutput();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        output.lines.add(line);
                        synchronized (output) {
                            output.notifyAll();
                        }
                    }
                } catch (IOException ended) {
                    // The child is gone.
                } finally {
                    output.ended.complete(null);
                    synchronized (output) {
                        output.notifyAll();
                    }
                }
            }, "mptcp-child-output");
            reader.setDaemon(true);
            reader.start();
            return output;
        }

        synchronized boolean awaitLine(String prefix, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (lines.stream().noneMatch(line -> line.startsWith(prefix)) && !ended.isDone()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return lines.stream().anyMatch(line -> line.startsWith(prefix));
        }

        String value(String key) {
            try {
                ended.get(10, TimeUnit.SECONDS);
            } catch (Exception notYet) {
                // Read what is there.
            }
            String found = null;
            for (String line : lines) {
                if (line.startsWith(key + "=")) {
                    found = line.substring(key.length() + 1).trim();
                }
            }
            return found;
        }

        @Override
        public String toString() {
            return String.join("\n", lines);
        }
    }
}

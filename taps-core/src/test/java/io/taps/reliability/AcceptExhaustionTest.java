package io.taps.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * File descriptor exhaustion on a Listener (issue 15 item 4), for real: a child JVM
 * ({@link AcceptExhaustionServer}) listens and keeps what it receives, the test lowers the child's
 * RLIMIT_NOFILE with {@code prlimit} to a few descriptors above what it has open, and connects more
 * clients than that. accept() then fails with EMFILE while clients wait in the backlog.
 *
 * <p>Expected: the Listener's handler gets AcceptFailed (reason AcceptFailed, the cause "Too many
 * open files") once for the episode; the log says so once with the cause, not once per retry, and
 * Netty's "reached at the tail of the pipeline" warning never appears; once descriptors are freed
 * the Listener accepts the waiting clients and logs that it recovered. Before the change the
 * handler heard nothing and Netty logged the unhandled exception every second.
 */
class AcceptExhaustionTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Descriptors the child may still open after the limit is lowered: it accepts this many, then fails. */
    private static final int HEADROOM = 5;
    private static final int CLIENTS = 16;

    @Test
    void emfileIsReportedOnceLoggedOnceAndTheListenerRecovers() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit (util-linux)");
        Process child = startChild();
        List<String> stdout = new CopyOnWriteArrayList<>();
        List<String> stderr = new CopyOnWriteArrayList<>();
        collect(child.getInputStream(), stdout);
        collect(child.getErrorStream(), stderr);
        List<Socket> clients = new ArrayList<>();
        try {
            String pid = await().atMost(WAIT).until(() -> value(stdout, "pid"), v -> v != null);
            int port = Integer.parseInt(value(stdout, "port"));
            lowerDescriptorLimit(pid);

            for (int i = 0; i < CLIENTS; i++) {
                clients.add(new Socket("127.0.0.1", port));
            }
            String event = await().atMost(WAIT).until(() -> value(stdout, "acceptFailed"), v -> v != null);
            assertThat(event).startsWith("AcceptFailed|").contains("Too many open files");
            // The child keeps failing (a retry every second) until it has descriptors again: wait
            // for a few retries, which must neither log again nor raise the event again.
            int receivedBefore = count(stdout, "received=");
            Thread.sleep(2_500);
            assertThat(count(stdout, "received=")).as("no descriptor, no Connection").isEqualTo(receivedBefore);
            assertThat(count(stdout, "acceptFailed=")).isEqualTo(1);

            send(child, "release");
            // Warm-up client + every client of the test, each delivered once accepting works again.
            await().atMost(WAIT).until(() -> count(stdout, "received=") >= CLIENTS + 1);
            await().atMost(WAIT).until(() -> count(stderr, "accepts again after") >= 1);

            String log = String.join("\n", stderr);
            assertThat(log).as("child log:\n%s", log).doesNotContain("reached at the tail of the pipeline");
            // One warning with the cause per episode (an episode is one AcceptFailed event).
            assertThat(count(stderr, "cannot accept a connection")).as("child log:\n%s", log)
                    .isEqualTo(count(stdout, "acceptFailed="));
            assertThat(log).contains("Too many open files");
        } finally {
            for (Socket client : clients) {
                client.close();
            }
            send(child, "exit");
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Process startChild() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (flag.startsWith("-D") || flag.startsWith("--add-opens") || flag.startsWith("--add-exports")
                    || flag.startsWith("--enable-native-access")) {
                command.add(flag);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(AcceptExhaustionServer.class.getName());
        return new ProcessBuilder(command).start();
    }

    /** Leaves the child {@link #HEADROOM} descriptors above what it has open now (soft limit only). */
    private static void lowerDescriptorLimit(String pid) throws Exception {
        long open;
        try (Stream<Path> fds = Files.list(Path.of("/proc", pid, "fd"))) {
            open = fds.count();
        }
        Process prlimit = new ProcessBuilder("prlimit", "--pid", pid, "--nofile=" + (open + HEADROOM) + ":")
                .redirectErrorStream(true).start();
        String out = new String(prlimit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(prlimit.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(prlimit.exitValue()).as("prlimit: %s", out).isZero();
    }

    private static void collect(java.io.InputStream stream, List<String> lines) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ended) {
                // the child is gone
            }
        }, "accept-exhaustion-child-output");
        reader.setDaemon(true);
        reader.start();
    }

    private static void send(Process child, String command) {
        try {
            OutputStream in = child.getOutputStream();
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException gone) {
            // the child already ended
        }
    }

    private static String value(List<String> lines, String key) {
        String found = null;
        for (String line : lines) {
            if (line.startsWith(key + "=")) {
                found = line.substring(key.length() + 1);
            }
        }
        return found;
    }

    private static int count(List<String> lines, String text) {
        return (int) lines.stream().filter(line -> line.contains(text)).count();
    }
}

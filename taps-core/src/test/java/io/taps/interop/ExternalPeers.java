package io.taps.interop;

import io.taps.testing.DebianPackages;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Peers that are neither taps nor Netty (issue 13): command-line tools run as child processes, fed
 * and drained through their stdin and stdout, with every transferred byte counted and hashed.
 * A missing tool is installed with apt-get when the test runs as root (CI does); otherwise the test
 * is skipped with a message that says what is missing and why.
 */
final class ExternalPeers {
    /** Bytes per transfer direction in the large interop runs. */
    static final long HUNDRED_MB = 100L * 1024 * 1024;
    /** Threads for the in-process peers' blocking I/O; daemons, so a stuck peer never holds the test JVM. */
    static final ExecutorService PEER_THREADS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "interop-peer");
        thread.setDaemon(true);
        return thread;
    });
    private ExternalPeers() {
    }

    /** Makes sure {@code command} is on the PATH, installing {@code debianPackage} if it can. */
    static void require(String command, String debianPackage) {
        DebianPackages.require(command, debianPackage);
    }

    /** A free TCP port on 127.0.0.1 for a tool that cannot report an ephemeral one. */
    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            probe.setReuseAddress(true);
            return probe.getLocalPort();
        }
    }

    /**
     * Waits until something listens on 127.0.0.1:{@code port}, read from /proc/net/tcp so that no
     * probe connection is made (socat and ncat accept exactly one).
     */
    static void awaitListening(int port) throws IOException, InterruptedException {
        String local = String.format("0100007F:%04X", port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && fields[1].equals(local) && fields[3].equals("0A")) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("nothing listens on 127.0.0.1:" + port + " after 20 s");
    }

    /** Writes {@code size} seeded random bytes (the stream {@link Digest#write} makes) to a file. */
    static Digest writeFile(Path file, long size, long seed) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            return Digest.write(out, size, seed);
        }
    }

    static Digest readFile(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Digest.read(in);
        }
    }

    /** A running tool; its stderr goes to a temporary file shown when something fails. */
    static final class Peer implements AutoCloseable {
        final Process process;
        private final Path stderr;
        private final String name;

        private Peer(Process process, Path stderr, String name) {
            this.process = process;
            this.stderr = stderr;
            this.name = name;
        }

        static Peer start(String... command) throws IOException {
            Path log = Files.createTempFile("taps-interop-", ".log");
            List<String> all = new ArrayList<>(List.of(command));
            Process process = new ProcessBuilder(all).redirectError(log.toFile()).start();
            return new Peer(process, log, String.join(" ", all));
        }

        /** Streams {@code size} seeded random bytes into the tool's stdin, then closes it (EOF). */
        CompletableFuture<Digest> feed(long size, long seed) {
            return CompletableFuture.supplyAsync(() -> {
                try (OutputStream in = process.getOutputStream()) {
                    return Digest.write(in, size, seed);
                } catch (IOException | UncheckedIOException e) {
                    // The tool ended early (a broken pipe): what it printed says why.
                    throw new IllegalStateException(name + ": writing stdin failed; " + log(), e);
                }
            }, PEER_THREADS);
        }

        /** Reads the tool's stdout to its end, counting and hashing. */
        CompletableFuture<Digest> drain() {
            return CompletableFuture.supplyAsync(() -> {
                try (InputStream out = process.getInputStream()) {
                    return Digest.read(out);
                } catch (IOException e) {
                    throw new UncheckedIOException(name + ": reading stdout failed; " + log(), e);
                }
            }, PEER_THREADS);
        }

        String log() {
            try {
                return name + " stderr: " + Files.readString(stderr);
            } catch (IOException e) {
                return name + " stderr unreadable: " + e;
            }
        }

        @Override
        public void close() throws IOException {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(stderr);
        }
    }

    /** What a peer received, and what it sent back. */
    record Exchange(Digest received, Digest sent) {
    }

    /** Byte count and SHA-256 of one transfer direction. */
    record Digest(long bytes, String sha256) {
        static Digest write(OutputStream out, long size, long seed) throws IOException {
            return write(out, size, seed, false);
        }

        private static Digest write(OutputStream out, long size, long seed, boolean nothingToThrow) {
            Random random = new Random(seed);
            MessageDigest sha = newSha256();
            byte[] chunk = new byte[64 * 1024];
            long left = size;
            try {
                while (left > 0) {
                    random.nextBytes(chunk);
                    int n = (int) Math.min(chunk.length, left);
                    sha.update(chunk, 0, n);
                    out.write(chunk, 0, n);
                    left -= n;
                }
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Digest(size, HexFormat.of().formatHex(sha.digest()));
        }

        static Digest read(InputStream in) throws IOException {
            MessageDigest sha = newSha256();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sha.update(buffer, 0, n);
                total += n;
            }
            return new Digest(total, HexFormat.of().formatHex(sha.digest()));
        }

        static MessageDigest newSha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}

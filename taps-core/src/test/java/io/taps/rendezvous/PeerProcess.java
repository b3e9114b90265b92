package io.taps.rendezvous;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A child JVM's standard output as lines (read by a daemon thread) and its standard input. */
final class PeerProcess {
    private static final String END = "\u0000end";
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    PeerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the child ended
            }
            lines.add(END);
        }, "peer-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The value of the next line starting with {@code key} (the lines before are kept), or null. */
    String line(String key, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
                if (line == null || line.equals(END)) {
                    if (line != null) {
                        lines.add(END);
                    }
                    return null;
                }
                synchronized (seen) {
                    seen.add(line);
                }
                if (line.startsWith(key)) {
                    return line.substring(key.length());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Waits for the child to end (killing it after {@code seconds}) and returns everything it printed. */
    String finish(int seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while (line("\u0001", 2) != null) {
            // drain
        }
        synchronized (seen) {
            return String.join("\n", seen);
        }
    }

    /** The last value of {@code key} among the lines seen so far. */
    String value(String key) {
        String found = null;
        synchronized (seen) {
            for (String line : seen) {
                if (line.startsWith(key + "=")) {
                    found = line.substring(key.length() + 1);
                }
            }
        }
        return found;
    }

    void send(String line) {
        try {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new IllegalStateException("the peer is gone: " + e, e);
        }
    }

    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}

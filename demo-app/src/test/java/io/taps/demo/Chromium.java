package io.taps.demo;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Chromium for the end-to-end page test: Debian's {@code chromium} package, installed
 * with {@code apt-get install -y chromium} when missing and the test runs as root; otherwise the
 * test is skipped with a message saying why.
 */
final class Chromium {
    private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome");

    private Chromium() {
    }

    /** The Chromium executable, installing it when possible; aborts (skips) the test otherwise. */
    static String require() throws Exception {
        String found = find();
        if (found == null && "root".equals(System.getProperty("user.name"))) {
            System.err.println("[demo e2e] chromium missing: running apt-get install -y chromium");
            Process install = new ProcessBuilder("apt-get", "install", "-y", "chromium").inheritIO().start();
            if (!install.waitFor(10, TimeUnit.MINUTES)) {
                install.destroyForcibly();
            }
            found = find();
        }
        if (found == null) {
            System.err.println("[demo e2e] SKIPPED: no chromium and cannot install it (not root or apt failed);"
                    + " install Debian's chromium package to run the page test");
        }
        Assumptions.assumeTrue(found != null,
                "SKIPPED LOUDLY: headless Chromium is not installed and could not be installed (needs root + apt)");
        return found;
    }

    private static String find() {
        for (String candidate : CANDIDATES) {
            if (new File(candidate).canExecute()) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Loads {@code url}, lets its scripts run (virtual time, so fetches and the first refresh
     * finish) and returns the serialized DOM.
     */
    static String dumpDom(String chromium, String url) throws Exception {
        File profile = java.nio.file.Files.createTempDirectory("taps-demo-chromium").toFile();
        Process process = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.getAbsolutePath(),
                "--virtual-time-budget=5000", "--dump-dom", url)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish within 90 s");
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}

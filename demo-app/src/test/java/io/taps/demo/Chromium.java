package io.taps.demo;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.taps.testing.DebianPackages;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Chromium for the end-to-end page tests: Debian's {@code chromium} package, installed by
 * {@link DebianPackages} (apt-get as root, as CI runs) when missing; where it cannot be installed
 * the test is skipped loudly with the reason.
 */
final class Chromium {
    private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome");

    private Chromium() {
    }

    /** The Chromium executable, installing it when possible; aborts (skips) the test otherwise. */
    static String require() {
        if (find() == null) {
            DebianPackages.require("chromium", "chromium");
        }
        String found = find();
        if (found == null) {
            String reason = "headless Chromium is not installed and could not be installed (needs root + apt-get;"
                    + " install Debian's chromium package to run the page tests)";
            System.err.println("*** TEST SKIPPED: " + reason + " ***");
            Assumptions.abort(reason);
        }
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

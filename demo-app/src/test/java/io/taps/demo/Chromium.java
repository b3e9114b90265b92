package io.taps.demo;

import java.io.File;
import java.util.List;
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
}

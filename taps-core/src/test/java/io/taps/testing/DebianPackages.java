package io.taps.testing;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Installs the command-line tools a test needs (socat, openssl, dnsmasq, dante-server, ...) from
 * Debian with apt-get when the test runs as root, as CI does on a clean machine; otherwise, or when
 * the install fails, the test is skipped with a message saying what is missing and why.
 */
public final class DebianPackages {
    private static boolean aptUpdated;

    private DebianPackages() {
    }

    /** Makes sure {@code command} is on the PATH, installing {@code debianPackage} if it can. */
    public static synchronized void require(String command, String debianPackage) {
        if (onPath(command)) {
            return;
        }
        if (!isRoot() || !onPath("apt-get")) {
            skip(command + " is not installed and cannot be installed (needs root and apt-get; install the Debian package '"
                    + debianPackage + "')");
        }
        if (!aptUpdated) {
            run(List.of("apt-get", "update", "-qq"));
            aptUpdated = true;
        }
        run(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends", debianPackage));
        if (!onPath(command)) {
            skip(command + " is still missing after 'apt-get install " + debianPackage + "'");
        }
    }

    /** Whether {@code command} is an executable in a directory of the PATH (or /usr/sbin, /sbin). */
    public static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + File.pathSeparator + "/usr/sbin:/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static void skip(String reason) {
        System.err.println("*** TEST SKIPPED: " + reason + " ***");
        abort(reason);
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                System.err.println("*** " + String.join(" ", command) + " failed ***");
            }
        } catch (IOException e) {
            System.err.println("*** " + String.join(" ", command) + " failed: " + e + " ***");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

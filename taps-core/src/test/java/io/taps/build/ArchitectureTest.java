package io.taps.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.ErrorReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules of the code base that a reviewer would otherwise have to remember (DEVELOPERS.md,
 * design.md): taps-core does all I/O through Netty and never imports Spring; every public type of
 * the public packages carries javadoc that cites RFC 9622 or the checklist; the error reasons
 * cover the implementation draft's Appendix C (issue items 8 and 9).
 */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java");

    private static List<Path> sources() {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(file -> file.toString().endsWith(".java")).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * No socket is created or opened outside Netty. (The JSSE trust and key manager callbacks must
     * declare the {@code java.net.Socket} overloads of X509ExtendedTrustManager/KeyManager; Netty's
     * SSLEngine path never calls them and they open nothing, so a type mention is not I/O.)
     */
    @Test
    void mainCodeUsesNettyForAllIo() {
        Pattern blockingIo = Pattern.compile("new\\s+(java\\.net\\.)?(Socket|ServerSocket|DatagramSocket|MulticastSocket)\\s*\\("
                + "|(SocketChannel|ServerSocketChannel|DatagramChannel|AsynchronousSocketChannel)\\.open\\("
                + "|SocketFactory|SSLServerSocket|createSocket\\(");
        List<String> offenders = new ArrayList<>();
        for (Path source : sources()) {
            if (blockingIo.matcher(read(source)).find()) {
                offenders.add(source.toString());
            }
        }
        assertThat(offenders).isEmpty();
    }

    @Test
    void coreNeverImportsSpring() {
        List<String> offenders = sources().stream().filter(source -> read(source).contains("org.springframework"))
                .map(Path::toString).collect(Collectors.toList());
        assertThat(offenders).isEmpty();
    }

    @Test
    void publicTypesOfPublicPackagesCiteTheirSpecification() {
        List<String> missing = new ArrayList<>();
        for (Path source : sources()) {
            String path = source.toString().replace('\\', '/');
            if (path.contains("/internal/")) {
                continue;
            }
            String text = read(source);
            if (!Pattern.compile("(?m)^public ").matcher(text).find()) {
                continue;
            }
            int typeStart = text.indexOf("\npublic ");
            String header = typeStart < 0 ? text : text.substring(0, typeStart);
            if (!header.contains("/**") || !Pattern.compile("RFC 9622|RFC 962[13]|\\b[A-Z]{1,4}-\\d\\d\\b|Q-\\d").matcher(header).find()) {
                missing.add(path);
            }
        }
        assertThat(missing).as("public types without javadoc citing RFC 9622 or a checklist ID").isEmpty();
    }

    @Test
    void errorReasonsCoverAppendixC() {
        List<String> names = Arrays.stream(ErrorReason.values()).map(ErrorReason::rfcName).collect(Collectors.toList());
        assertThat(names).contains("InvalidConfiguration", "NoCandidates", "ResolutionFailed", "EstablishmentFailed",
                "PolicyProhibited", "NotCloneable", "MessageTooLarge", "ProtocolFailed", "InvalidMessageProperties",
                "DeframingFailed", "ConnectionAborted", "Timeout");
    }

    /**
     * No file of taps-core over about 500 lines without a stated reason (DEVELOPERS.md): a longer
     * one says "Longer than 500 lines because" in its class javadoc, so a reviewer sees why.
     */
    @Test
    void noFileOverFiveHundredLinesWithoutAStatedReason() {
        List<String> offenders = new ArrayList<>();
        for (Path source : sources()) {
            String text = read(source);
            long lines = text.lines().count();
            if (lines > 520 && !text.contains("Longer than 500 lines because")) {
                offenders.add(source + " (" + lines + " lines)");
            }
        }
        assertThat(offenders).isEmpty();
    }
}

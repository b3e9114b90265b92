package io.taps.spring.starter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What an application that depends on the starter gets at run time (the runtime class path as
 * Maven resolved it, listed by the build into {@code target/resolved-netty.txt}): the natives of
 * the four platforms, all of the Netty and netty-tcnative versions taps is built against.
 */
class StarterNativesTests {
    private static final List<String> PLATFORMS = List.of("linux-x86_64", "linux-aarch_64", "osx-x86_64",
            "osx-aarch_64");

    @Test
    void bringsEpollOrKqueueBoringSslAndQuicForEveryPlatform() throws IOException {
        List<String> resolved = resolvedNetty();
        String netty = version(resolved, "io.netty:netty-transport:jar:");
        String tcnative = version(resolved, "io.netty:netty-tcnative-classes:jar:");
        for (String platform : PLATFORMS) {
            String transport = platform.startsWith("linux") ? "netty-transport-native-epoll"
                    : "netty-transport-native-kqueue";
            assertThat(resolved).as(platform).contains("io.netty:" + transport + ":jar:" + platform + ":" + netty + ":runtime")
                .contains("io.netty:netty-codec-native-quic:jar:" + platform + ":" + netty + ":runtime")
                .contains("io.netty:netty-tcnative-boringssl-static:jar:" + platform + ":" + tcnative + ":runtime");
        }
    }

    @Test
    void everyNettyArtifactHasOneVersion() throws IOException {
        // natives of another version than the classes fail to link at the first connect
        List<String> resolved = resolvedNetty();
        String netty = version(resolved, "io.netty:netty-transport:jar:");
        String tcnative = version(resolved, "io.netty:netty-tcnative-classes:jar:");
        assertThat(resolved).allSatisfy(artifact -> assertThat(artifact)
            .containsAnyOf(":" + netty + ":", ":" + tcnative + ":"));
    }

    private static String version(List<String> resolved, String prefix) {
        return resolved.stream()
            .filter(line -> line.startsWith(prefix))
            .map(line -> line.substring(prefix.length()).split(":")[0])
            .findFirst()
            .orElseThrow(() -> new AssertionError(prefix + " not resolved: " + resolved));
    }

    private static List<String> resolvedNetty() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("target", "resolved-netty.txt"))) {
            return lines.map(String::strip)
                .filter(line -> line.startsWith("io.netty:"))
                .map(line -> line.replaceAll(" -- .*$", ""))
                .toList();
        }
    }
}

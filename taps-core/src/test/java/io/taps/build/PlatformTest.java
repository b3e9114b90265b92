package io.taps.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Version;
import io.taps.TransportServices;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The build's promises about the platform (issue item 1, design "Build"): every Netty artifact on
 * the class path is the same version, because mixed classes and natives fail only at the first
 * connect; epoll and BoringSSL load and are used on Linux x86_64.
 */
class PlatformTest {

    @Test
    void allNettyArtifactsHaveOneVersion() {
        Map<String, Version> versions = Version.identify();
        assertThat(versions).isNotEmpty();
        assertThat(versions.values()).extracting(Version::artifactVersion).containsOnly("4.2.19.Final");
    }

    @Test
    void usesEpollAndBoringSslOnLinuxX86_64() {
        boolean linuxX86 = System.getProperty("os.name").toLowerCase().contains("linux")
                && System.getProperty("os.arch").matches("amd64|x86_64");
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).build()) {
            if (linuxX86) {
                assertThat(taps.ioTransport()).isEqualTo("epoll");
                assertThat(taps.tlsProvider()).containsIgnoringCase("BoringSSL");
            } else {
                assertThat(taps.ioTransport()).isIn("epoll", "nio");
            }
        }
    }

    @Test
    void nioCanBeForced() {
        try (TransportServices taps = TransportServices.builder().eventLoopThreads(1).nativeTransport(false).build()) {
            assertThat(taps.ioTransport()).isEqualTo("nio");
        }
    }
}

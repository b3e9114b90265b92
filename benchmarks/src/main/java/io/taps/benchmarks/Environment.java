package io.taps.benchmarks;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.taps.TransportServices;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import reactor.netty.resources.LoopResources;

/**
 * What the report says about the run's environment (issue 21 item 5): the machine, the JDK and
 * its flags, the CPU pinning, each client's I/O transport, and the TLS library with its real
 * versions: BoringSSL's source revision and the netty-tcnative build, which the uber-jar no longer
 * carries in its package metadata (the build copies the tcnative jar's manifest to
 * {@code tcnative/META-INF/MANIFEST.MF}).
 */
final class Environment {
    private Environment() {
    }

    /** The lines of the report's header. {@code anyResult} is one JMH result (for the forked JVM's version and flags), or empty. */
    static String describe(Map<String, Object> anyResult, String pinning) {
        String jdk = anyResult.isEmpty() ? System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
                + ")" : Report.path(anyResult, "jdkVersion") + " (" + Report.path(anyResult, "vmName") + " "
                + Report.path(anyResult, "vmVersion") + ")";
        Object jvmArgs = Report.path(anyResult, "jvmArgs");
        String flags = jvmArgs instanceof List && !((List<?>) jvmArgs).isEmpty()
                ? String.join(" ", ((List<?>) jvmArgs).stream().map(String::valueOf).toList()) : "-";
        String taps;
        try (TransportServices services = TapsFixture.create()) {
            taps = services.ioTransport();
        } catch (RuntimeException e) {
            taps = "unavailable: " + e.getMessage();
        }
        return "machine: " + Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + "), "
                + System.getProperty("os.name") + " " + System.getProperty("os.version")
                + "\nJDK: " + jdk + ", flags: " + flags
                + "\nCPU pinning: " + (pinning == null || pinning.isBlank() ? "not stated" : pinning)
                + "\nI/O transport: taps " + taps + ", raw Netty " + NettyFixture.transportName() + ", Reactor Netty "
                + reactorTransport()
                + "\nTLS: " + tls()
                + "\nversions: Netty " + mavenVersion("io.netty", "netty-transport") + ", Reactor Netty "
                + buildVersion("reactor-netty");
    }

    /** The TLS library every client and server uses (they share taps' rule), with its real versions. */
    static String tls() {
        if (Tls.provider() == SslProvider.JDK) {
            return "JDK JSSE " + System.getProperty("java.version");
        }
        Manifest tcnative = tcnativeManifest();
        String revision = tcnative == null ? null : tcnative.getMainAttributes().getValue("BoringSSL-Revision");
        String branch = tcnative == null ? null : tcnative.getMainAttributes().getValue("BoringSSL-Branch");
        String fips = tcnative == null ? null : tcnative.getMainAttributes().getValue("BoringSSL-FIPS-Compliant");
        return OpenSsl.versionString() + (revision == null ? " (revision not recorded)"
                : " revision " + revision + (branch == null ? "" : " (branch " + branch + ")"))
                + (fips == null ? "" : ", FIPS " + fips)
                + ", OpenSSL API " + String.format(Locale.ROOT, "0x%08x", OpenSsl.version())
                + ", netty-tcnative-boringssl-static " + mavenVersion("io.netty", "netty-tcnative-boringssl-static");
    }

    private static Manifest tcnativeManifest() {
        try (InputStream in = Environment.class.getResourceAsStream("/tcnative/META-INF/MANIFEST.MF")) {
            return in == null ? null : new Manifest(in);
        } catch (IOException e) {
            return null;
        }
    }

    /** The version in a dependency's {@code META-INF/maven/.../pom.properties}, which the uber-jar keeps. */
    static String mavenVersion(String group, String artifact) {
        return property("/META-INF/maven/" + group + "/" + artifact + "/pom.properties", "version");
    }

    /** A version the build wrote into {@code build-versions.properties}. */
    static String buildVersion(String key) {
        return property("build-versions.properties", key);
    }

    private static String property(String resource, String key) {
        try (InputStream in = Environment.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty(key, "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The transport Reactor Netty really picks for the benchmark's loops: its socket channel class. */
    static String reactorTransport() {
        LoopResources loops = ReactorFixture.loops();
        try {
            EventLoopGroup group = loops.onClient(NettyFixture.EPOLL);
            String type = loops.onChannelClass(SocketChannel.class, group).getSimpleName();
            return type.startsWith("Epoll") ? "epoll" : type.startsWith("Nio") ? "nio" : type;
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        } finally {
            ReactorFixture.dispose(loops);
        }
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }
}

package io.taps.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.taps.spring.listener.TapsListener;
import io.taps.spring.listener.TapsListenerRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/**
 * SSL bundle reload (issue 14 item 6): a {@code @TapsListener} whose profile names a PEM bundle
 * with {@code reload-on-update: true} serves the certificate written over the bundle's files to
 * every new connection, seen by the JDK's own TLS client, while a connection opened before keeps
 * its certificate and keeps being served; files taps cannot use change nothing.
 */
@ExtendWith(OutputCaptureExtension.class)
class TapsSslBundleReloaderTests {
    private static final String ALPN = "echo/1";
    /** Same names as TestCertificates.SERVER: only the certificate itself tells them apart. */
    private static X509Bundle renewed;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class, SslAutoConfiguration.class,
                TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class))
        .withUserConfiguration(SecureEcho.class);

    @TempDir
    Path pem;

    @BeforeAll
    static void renew() throws Exception {
        Instant now = Instant.now();
        renewed = new CertificateBuilder().notBefore(now.minus(1, ChronoUnit.HOURS))
            .notAfter(now.plus(1, ChronoUnit.DAYS))
            .ecp256()
            .subject("CN=localhost, O=renewed")
            .addSanDnsName("localhost")
            .addSanIpAddress("127.0.0.1")
            .addExtendedKeyUsageServerAuth()
            .buildIssuedBy(TestCertificates.ROOT);
    }

    private ApplicationContextRunner reloadingBundle() throws IOException {
        write("server.crt", TestCertificates.SERVER.getCertificatePathPEM());
        write("server.key", TestCertificates.SERVER.getPrivateKeyPEM());
        return this.contextRunner.withPropertyValues(
                "spring.ssl.bundle.pem.server.keystore.certificate=file:" + this.pem.resolve("server.crt"),
                "spring.ssl.bundle.pem.server.keystore.private-key=file:" + this.pem.resolve("server.key"),
                "spring.ssl.bundle.pem.server.reload-on-update=true",
                "spring.ssl.bundle.watch.file.quiet-period=100ms",
                // Security set explicitly: the profile is TLS through its bundle, never by a default.
                "taps.profiles.secure.security.enabled=true", "taps.profiles.secure.security.ssl-bundle=server",
                "taps.profiles.secure.security.alpn=" + ALPN);
    }

    @Test
    void newConnectionsGetTheReloadedCertificateAndAnOpenOneKeepsWorking(CapturedOutput output) throws Exception {
        reloadingBundle().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(TapsSslBundleReloader.class);
            int port = context.getBean(TapsListenerRegistry.class).listener("secure").orElseThrow().port();
            try (SSLSocket before = jdkClient(port)) {
                assertThat(peerCertificate(before)).isEqualTo(TestCertificates.SERVER.getCertificate());
                assertThat(echo(before, "before")).isEqualTo("before");

                // Key first: a certificate without its key would be a bundle taps refuses.
                write("server.key", renewed.getPrivateKeyPEM());
                write("server.crt", renewed.getCertificatePathPEM());

                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    try (SSLSocket after = jdkClient(port)) {
                        assertThat(peerCertificate(after)).isEqualTo(renewed.getCertificate());
                        assertThat(echo(after, "after")).isEqualTo("after");
                    }
                });
                assertThat(peerCertificate(before)).isEqualTo(TestCertificates.SERVER.getCertificate());
                assertThat(echo(before, "still served")).isEqualTo("still served");
            }
            // Preconnections built from the profile from now on carry the reloaded identity too: a
            // listener started after the reload serves it from the start.
            assertThat(context.getBean(TapsProfiles.class).get("secure").securityParameters().identities())
                .singleElement()
                .satisfies(identity -> assertThat(identity.certificate()).isEqualTo(renewed.getCertificate()));
            int latePort = context.getBean(TapsListenerRegistry.class).start("late").port();
            try (SSLSocket late = jdkClient(latePort)) {
                assertThat(peerCertificate(late)).isEqualTo(renewed.getCertificate());
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(output)
                .contains("taps listener 'secure' (profile secure) took the reloaded SSL bundle 'server'"));
        });
    }

    @Test
    void filesTapsCannotUseLeaveTheOldCertificateInPlace(CapturedOutput output) throws Exception {
        reloadingBundle().run(context -> {
            int port = context.getBean(TapsListenerRegistry.class).listener("secure").orElseThrow().port();
            // The renewed certificate with the old key: Boot loads it, taps refuses the mismatch.
            write("server.crt", renewed.getCertificatePathPEM());
            await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(output).contains("SSL bundle 'server' was reloaded but taps cannot use it"));
            try (SSLSocket client = jdkClient(port)) {
                assertThat(peerCertificate(client)).isEqualTo(TestCertificates.SERVER.getCertificate());
                assertThat(echo(client, "old certificate")).isEqualTo("old certificate");
            }
            assertThat(context.getBean(TapsProfiles.class).get("secure").securityParameters().identities())
                .singleElement()
                .satisfies(identity -> assertThat(identity.certificate())
                    .isEqualTo(TestCertificates.SERVER.getCertificate()));
        });
    }

    /** Replaces a file the way deployment tools do: written aside, then moved over the old one. */
    private void write(String name, String content) throws IOException {
        Path aside = Files.createTempFile(this.pem.getParent(), name, ".tmp");
        Files.writeString(aside, content, StandardCharsets.US_ASCII);
        Files.move(aside, this.pem.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The JDK's TLS client with a context of its own, so it never resumes an earlier session. */
    private static SSLSocket jdkClient(int port) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", TestCertificates.ROOT.getCertificate());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setApplicationProtocols(new String[] { ALPN });
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private static X509Certificate peerCertificate(SSLSocket socket) throws Exception {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }

    private static String echo(SSLSocket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
    }

    @Configuration(proxyBeanMethods = false)
    static class SecureEcho {
        @TapsListener(id = "secure", profile = "secure", host = "127.0.0.1", port = "0")
        byte[] echo(byte[] received) {
            return received;
        }

        @TapsListener(id = "late", profile = "secure", host = "127.0.0.1", port = "0", autoStartup = "false")
        byte[] lateEcho(byte[] received) {
            return received;
        }
    }
}

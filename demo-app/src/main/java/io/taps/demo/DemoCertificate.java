package io.taps.demo;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * DEMO ONLY: when no {@code spring.ssl.bundle.pem.demo} bundle is configured, generates a fresh
 * self-signed certificate and key at start-up (valid one day, for {@code localhost},
 * {@code taps-demo.localhost}, 127.0.0.1 and ::1) into a temporary directory and configures the
 * {@code demo} SSL bundle from them: its key store is the listener's identity, its trust store the
 * client's trust anchor. So the TLS profile runs on a fresh machine with no set-up; a real
 * application configures its own {@code spring.ssl.bundle.*} instead.
 */
public class DemoCertificate implements EnvironmentPostProcessor, Ordered {
    static final String BUNDLE = "spring.ssl.bundle.pem.demo";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.containsProperty(BUNDLE + ".keystore.certificate")) {
            return;
        }
        try {
            Instant now = Instant.now();
            X509Bundle certificate = new CertificateBuilder().subject("CN=taps demo self-signed, O=demo only")
                    .notBefore(now.minus(1, ChronoUnit.HOURS)).notAfter(now.plus(1, ChronoUnit.DAYS)).ecp256()
                    .addSanDnsName("localhost").addSanDnsName("taps-demo.localhost")
                    .addSanIpAddress("127.0.0.1").addSanIpAddress("::1").setIsCertificateAuthority(true)
                    .addExtendedKeyUsageServerAuth().buildSelfSigned();
            Path directory = Files.createTempDirectory("taps-demo-tls");
            directory.toFile().deleteOnExit();
            Path cert = write(directory.resolve("demo-cert.pem"), certificate.getCertificatePEM());
            Path key = write(directory.resolve("demo-key.pem"), certificate.getPrivateKeyPEM());
            Map<String, Object> bundle = new LinkedHashMap<>();
            bundle.put(BUNDLE + ".keystore.certificate", cert.toUri().toString());
            bundle.put(BUNDLE + ".keystore.private-key", key.toUri().toString());
            bundle.put(BUNDLE + ".truststore.certificate", cert.toUri().toString());
            environment.getPropertySources().addLast(new MapPropertySource("tapsDemoCertificate", bundle));
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot write the demo certificate", failed);
        } catch (Exception failed) {
            throw new IllegalStateException("cannot generate the demo certificate", failed);
        }
    }

    private static Path write(Path file, String pem) throws IOException {
        Files.writeString(file, pem);
        file.toFile().deleteOnExit();
        return file;
    }

    @Override
    public int getOrder() {
        // After the application's own configuration is loaded, so a configured bundle wins.
        return Ordered.LOWEST_PRECEDENCE;
    }
}

package io.taps.spring.boot.autoconfigure;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** A test root and a server certificate for 127.0.0.1/localhost, generated once per JVM in memory. */
public final class TestCertificates {
    public static final X509Bundle ROOT;
    public static final X509Bundle SERVER;

    static {
        try {
            Instant now = Instant.now();
            CertificateBuilder base = new CertificateBuilder().notBefore(now.minus(1, ChronoUnit.DAYS))
                .notAfter(now.plus(1, ChronoUnit.DAYS))
                .ecp256();
            ROOT = base.copy().subject("CN=taps spring test root").setIsCertificateAuthority(true).buildSelfSigned();
            SERVER = base.copy()
                .subject("CN=localhost")
                .addSanDnsName("localhost")
                .addSanIpAddress("127.0.0.1")
                .addExtendedKeyUsageServerAuth()
                .buildIssuedBy(ROOT);
        }
        catch (Exception ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private TestCertificates() {
    }

    /** Properties of a PEM SSL bundle {@code name} with the server identity and the root as trust. */
    public static String[] serverBundle(String name) {
        return new String[] { "spring.ssl.bundle.pem." + name + ".keystore.certificate=" + SERVER.getCertificatePathPEM(),
                "spring.ssl.bundle.pem." + name + ".keystore.private-key=" + SERVER.getPrivateKeyPEM(),
                "spring.ssl.bundle.pem." + name + ".truststore.certificate=" + ROOT.getCertificatePEM() };
    }

    /** Properties of a PEM SSL bundle {@code name} that only trusts the root. */
    public static String[] trustBundle(String name) {
        return new String[] { "spring.ssl.bundle.pem." + name + ".truststore.certificate=" + ROOT.getCertificatePEM() };
    }
}

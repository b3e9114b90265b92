package io.taps.testing;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Certificates for the TLS tests, generated once per JVM (never stored on disk). */
public final class TestPki {
    public static final X509Bundle ROOT;
    public static final X509Bundle SERVER;
    public static final X509Bundle OTHER_ROOT;
    public static final X509Bundle SERVER_FROM_OTHER;
    public static final X509Bundle SELF_SIGNED_SERVER;
    public static final X509Bundle CLIENT;

    static {
        try {
            Instant now = Instant.now();
            CertificateBuilder base = new CertificateBuilder()
                    .notBefore(now.minus(1, ChronoUnit.DAYS))
                    .notAfter(now.plus(1, ChronoUnit.DAYS))
                    .ecp256();
            ROOT = base.copy().subject("CN=taps test root").setIsCertificateAuthority(true).buildSelfSigned();
            SERVER = base.copy().subject("CN=localhost").addSanDnsName("localhost").addSanIpAddress("127.0.0.1")
                    .addSanIpAddress("::1").addExtendedKeyUsageServerAuth().buildIssuedBy(ROOT);
            OTHER_ROOT = base.copy().subject("CN=untrusted root").setIsCertificateAuthority(true).buildSelfSigned();
            SERVER_FROM_OTHER = base.copy().subject("CN=localhost").addSanDnsName("localhost")
                    .addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth().buildIssuedBy(OTHER_ROOT);
            SELF_SIGNED_SERVER = base.copy().subject("CN=localhost").addSanDnsName("localhost")
                    .addSanIpAddress("127.0.0.1").setIsCertificateAuthority(true).buildSelfSigned();
            CLIENT = base.copy().subject("CN=taps test client").addExtendedKeyUsageClientAuth().buildIssuedBy(ROOT);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private TestPki() {
    }

    /** A server certificate issued by {@link #ROOT} for {@code dnsNames} (and 127.0.0.1, ::1). */
    public static X509Bundle serverFor(String... dnsNames) {
        try {
            Instant now = Instant.now();
            CertificateBuilder builder = new CertificateBuilder().notBefore(now.minus(1, ChronoUnit.DAYS))
                    .notAfter(now.plus(1, ChronoUnit.DAYS)).ecp256().subject("CN=" + dnsNames[0]);
            for (String name : dnsNames) {
                builder.addSanDnsName(name);
            }
            return builder.addSanIpAddress("127.0.0.1").addSanIpAddress("::1").addExtendedKeyUsageServerAuth()
                    .buildIssuedBy(ROOT);
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a certificate for " + java.util.Arrays.toString(dnsNames), e);
        }
    }
}

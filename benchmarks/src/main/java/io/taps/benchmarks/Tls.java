package io.taps.benchmarks;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.SSLException;

/**
 * TLS 1.3 for the TLS benchmarks: certificates generated once per JVM (an EC P-256 root and a
 * server certificate for 127.0.0.1), the raw Netty server and client contexts, and the taps client's
 * Security Parameters trusting the same root.
 *
 * <p>The provider follows taps' rule (BoringSSL when netty-tcnative loads, unless
 * {@code -Dtaps.tls.provider=jdk}). Both clients verify the chain and the name they connect to (127.0.0.1, or {@code localhost} where
 * taps resolves it). Every
 * handshake must be a full one: the server keeps no session cache, Netty's BoringSSL clients (raw and
 * taps' alike) keep none by default, and the server counts resumed handshakes
 * ({@link NettyFixture.Server#resumedSessions()}) so that the handshake benchmark and its test fail if
 * one ever happens. taps' {@code maxCachedSessions} is not used to turn the client cache off: Netty
 * reads a cache size of 0 as "the provider's default".
 */
public final class Tls {
    private static final X509Bundle ROOT;
    private static final X509Bundle SERVER;

    static {
        try {
            Instant now = Instant.now();
            CertificateBuilder base = new CertificateBuilder().notBefore(now.minus(1, ChronoUnit.DAYS))
                    .notAfter(now.plus(1, ChronoUnit.DAYS)).ecp256();
            ROOT = base.copy().subject("CN=taps benchmark root").setIsCertificateAuthority(true).buildSelfSigned();
            SERVER = base.copy().subject("CN=localhost").addSanIpAddress(NettyFixture.HOST)
                    .addSanDnsName(NettyFixture.LOOPBACK_NAME)
                    .addExtendedKeyUsageServerAuth().buildIssuedBy(ROOT);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Tls() {
    }

    /** The provider taps uses: BoringSSL when it loads, the JDK's otherwise. */
    public static SslProvider provider() {
        boolean forcedJdk = "jdk".equalsIgnoreCase(System.getProperty("taps.tls.provider", "").trim());
        return !forcedJdk && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** The raw server's context: TLS 1.3 only, no server-side session cache. */
    public static SslContext serverContext() {
        try {
            SslContext context = SslContextBuilder
                    .forServer(SERVER.getKeyPair().getPrivate(), SERVER.getCertificatePath())
                    .sslProvider(provider()).protocols("TLSv1.3").build();
            if (context.sessionContext() instanceof OpenSslSessionContext) {
                OpenSslSessionContext sessions = (OpenSslSessionContext) context.sessionContext();
                sessions.setSessionCacheEnabled(false);
            } else {
                context.sessionContext().setSessionCacheSize(1);
            }
            return context;
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the benchmark server's TLS context", e);
        }
    }

    /** The raw client's context: TLS 1.3, trusting the benchmark root, hostname verification on. */
    public static SslContext clientContext() {
        try {
            return SslContextBuilder.forClient().sslProvider(provider()).protocols("TLSv1.3")
                    .trustManager(ROOT.getCertificate()).endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the benchmark client's TLS context", e);
        }
    }

    /** The server certificate's private key (for QUIC's own TLS context, figure 7). */
    static java.security.PrivateKey serverKey() {
        return SERVER.getKeyPair().getPrivate();
    }

    /** The server certificate followed by its issuer. */
    static java.security.cert.X509Certificate[] serverCertificatePath() {
        return SERVER.getCertificatePath();
    }

    /** The root every benchmark client trusts. */
    static java.security.cert.X509Certificate rootCertificate() {
        return ROOT.getCertificate();
    }

    /** The taps client's parameters: TLS 1.3, trusting the benchmark root, certificate and hostname verified. */
    public static SecurityParameters tapsClient() {
        return SecurityParameters.builder().trustAnchors(ROOT.getCertificate())
                .allowedProtocols(TlsVersion.TLS_1_3).build();
    }
}

package io.taps.internal.security;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;

/**
 * Chooses the TLS implementation behind taps' TLS stacks (RFC 9622 §6.3; checklist SEC-01, Q-17):
 * BoringSSL through netty-tcnative when it loads, the JDK's JSSE otherwise.
 *
 * <p>BoringSSL is preferred because it is markedly faster for handshakes and bulk encryption. The
 * system property {@value #PROPERTY}{@code =jdk} forces JSSE (useful to reproduce a provider-specific
 * problem, and in tests that run every handshake on both providers); {@code =openssl} insists on
 * BoringSSL and falls back to the JDK only when it cannot load. The property is read on every call.
 */
public final class TlsProvider {
    /** The system property that forces a provider: {@code jdk} or {@code openssl}. */
    public static final String PROPERTY = "taps.tls.provider";

    private TlsProvider() {
    }

    /** The provider to use for new contexts. */
    public static SslProvider preferred() {
        String forced = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        if (forced.equals("jdk")) {
            return SslProvider.JDK;
        }
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** Whether BoringSSL (netty-tcnative) loaded on this machine. */
    public static boolean openSslAvailable() {
        return OpenSsl.isAvailable();
    }

    /** A human-readable name of {@link #preferred()}, for logs and the actuator endpoint. */
    public static String describe() {
        return describe(preferred());
    }

    /** A human-readable name of {@code provider}, for example {@code BoringSSL (netty-tcnative 2.0.84.Final)}. */
    public static String describe(SslProvider provider) {
        if (provider == SslProvider.JDK) {
            return "JDK " + System.getProperty("java.version");
        }
        String tcnative = io.netty.internal.tcnative.SSL.class.getPackage().getImplementationVersion();
        return OpenSsl.versionString() + " (netty-tcnative " + (tcnative == null ? "unknown" : tcnative) + ")";
    }
}

package io.taps.internal.security;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.blocking.BlockingWork;
import io.taps.security.ClientAuthentication;
import io.taps.security.SecurityLevel;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * JDK {@code SSLContext("DTLS")}s built from {@link SecurityParameters} (RFC 9622 §6.3) with the
 * same identity and trust code as TLS ({@link IdentityKeyManager}, {@link TapsTrustManager}), and the
 * engines of one DTLS association configured from them: DTLS 1.2 (no provider here offers DTLS 1.3),
 * the configured cipher suites, ALPN, client authentication, SNI and hostname verification.
 *
 * <p>Contexts are cached per (parameters, side): a context owns the session cache and, on the
 * server, the secret of the HelloVerifyRequest cookies, which must outlive any one association.
 * Building one reads key material and trust anchors, so it never runs on an event loop.
 */
public final class DtlsContexts {
    /** The protocol name of DTLS 1.2 in JSSE. */
    public static final String DTLS_1_2 = "DTLSv1.2";
    private static final ContextCache<SSLContext> CACHE = new ContextCache<>(32);

    private DtlsContexts() {
    }

    /** Why DTLS cannot serve {@code params}, or empty: it speaks DTLS 1.2 only (RFC 6347), the counterpart of TLS 1.2. */
    public static Optional<String> unusableReason(SecurityParameters params) {
        if (!params.allowedProtocols().contains(TlsVersion.TLS_1_2)) {
            return Optional.of("DTLS 1.3 (RFC 9147) has no provider on this JVM and only TLS 1.3 is allowed;"
                    + " DTLS/UDP offers DTLS 1.2, the counterpart of TLS 1.2");
        }
        return Optional.empty();
    }

    /** The cached client context for {@code params}, or null when it must still be built (never builds). */
    public static SSLContext cachedClient(SecurityParameters params) {
        return CACHE.peek(new ContextCache.Key(params, false, null));
    }

    /** The client context for {@code params}; builds (blocking) when not cached. */
    public static SSLContext forClient(SecurityParameters params) {
        return get(params, false);
    }

    /**
     * The server context for {@code params}; builds (blocking) when not cached.
     *
     * @throws TransportServicesException INVALID_CONFIGURATION without a server identity
     */
    public static SSLContext forServer(SecurityParameters params) {
        return get(params, true);
    }

    private static SSLContext get(SecurityParameters params, boolean server) {
        Objects.requireNonNull(params, "params");
        if (params.level() == SecurityLevel.DISABLED) {
            throw invalid("security is disabled for these parameters; no DTLS context can be built");
        }
        return CACHE.get(new ContextCache.Key(params, server, null), () -> build(params, server));
    }

    private static SSLContext build(SecurityParameters params, boolean server) {
        BlockingWork.check("building a DTLS context");
        if (server && params.identities().isEmpty() && params.identityChallengeCallback().isEmpty()) {
            throw invalid("a DTLS Listener needs at least one identity (SEC-02): add an identity, or use"
                    + " SecurityParameters.disabled() for plain UDP");
        }
        KeyManager[] keys = params.identities().isEmpty() && params.identityChallengeCallback().isEmpty()
                ? null : new KeyManager[] {
                    new IdentityKeyManager(params.identities(), params.identityChallengeCallback().orElse(null))};
        try {
            SSLContext context = SSLContext.getInstance("DTLS");
            context.init(keys, new TrustManager[] {new TapsTrustManager(params)}, null);
            params.maxCachedSessions().ifPresent(size -> {
                if (size > 0) {
                    sessions(context, server).setSessionCacheSize(size);
                }
            });
            params.cachedSessionLifetime().ifPresent(d ->
                    sessions(context, server).setSessionTimeout((int) Math.min(Integer.MAX_VALUE, d.getSeconds())));
            if (!params.cipherSuites().isEmpty()) {
                Set<String> supported = Set.of(context.getSupportedSSLParameters().getCipherSuites());
                for (String suite : params.cipherSuites()) {
                    if (!supported.contains(suite)) {
                        throw invalid("cipher suite '" + suite + "' is not supported by the JDK's DTLS provider");
                    }
                }
            }
            return context;
        } catch (GeneralSecurityException e) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "cannot build " + (server ? "server" : "client") + " DTLS context: " + e.getMessage(), e);
        }
    }

    private static javax.net.ssl.SSLSessionContext sessions(SSLContext context, boolean server) {
        return server ? context.getServerSessionContext() : context.getClientSessionContext();
    }

    /**
     * A client engine for one association to {@code peerName}:{@code port}: verifies the server's
     * chain and, unless turned off, its name (RFC 9622 §6.3), sends SNI for a host name, offers ALPN.
     */
    public static SSLEngine newClientEngine(SSLContext context, SecurityParameters params, String peerName, int port) {
        String name = params.serverName().orElse(peerName);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        SSLEngine engine = context.createSSLEngine(name, port);
        engine.setUseClientMode(true);
        SSLParameters p = common(engine, params);
        if (SslContexts.hostnameVerification(params)) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!isIpLiteral(name)) {
            p.setServerNames(List.of(new SNIHostName(name)));
        }
        engine.setSSLParameters(p);
        return engine;
    }

    /** A server engine for one association, asking for the client's certificate as configured. */
    public static SSLEngine newServerEngine(SSLContext context, SecurityParameters params) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters p = common(engine, params);
        if (params.clientAuthentication() == ClientAuthentication.REQUIRE) {
            p.setNeedClientAuth(true);
        } else if (params.clientAuthentication() == ClientAuthentication.OPTIONAL) {
            p.setWantClientAuth(true);
        }
        engine.setSSLParameters(p);
        return engine;
    }

    private static SSLParameters common(SSLEngine engine, SecurityParameters params) {
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(new String[] {DTLS_1_2});
        if (!params.cipherSuites().isEmpty()) {
            p.setCipherSuites(params.cipherSuites().toArray(new String[0]));
        }
        if (!params.alpn().isEmpty()) {
            p.setApplicationProtocols(params.alpn().toArray(new String[0]));
        }
        // taps retransmits the handshake itself on its timer; the engine re-sends a flight when wrap is asked.
        p.setEnableRetransmissions(true);
        return p;
    }

    private static boolean isIpLiteral(String name) {
        return name.indexOf(':') >= 0 || name.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static TransportServicesException invalid(String message) {
        return new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, message);
    }
}

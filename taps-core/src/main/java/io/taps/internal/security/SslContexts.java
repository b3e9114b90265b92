package io.taps.internal.security;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.blocking.BlockingWork;
import io.taps.security.Identity;
import io.taps.security.SecurityLevel;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * Builds and caches Netty {@link SslContext}s from {@link SecurityParameters} (RFC 9622 §6.3;
 * checklist O-04, SEC-01..SEC-06, SEC-10, SEC-11, SEC-13, Q-17, Q-18).
 *
 * <p>Contexts are cached by (parameters value, side, provider): creating a BoringSSL context costs
 * milliseconds and each context owns the TLS session cache, so reusing one context per configuration
 * is what makes session resumption work across connections. The cache is a small LRU; an evicted
 * context is released by Netty once no connection uses it.
 *
 * <p>Mapping: identities and the identity challenge callback become an {@link IdentityKeyManager};
 * trust anchors, verification, pinning and the trust callback a {@link TapsTrustManager}; ALPN an
 * {@link ApplicationProtocolConfig}; allowed versions, cipher suites, session cache settings and client
 * authentication the matching builder options. BoringSSL is used unless an identity's key cannot be
 * exported ({@code getEncoded() == null}, e.g. a hardware-held key), which only JSSE can drive through
 * the key's own provider; such contexts are built on the JDK provider.
 */
public final class SslContexts {
    private static final int MAX_CACHED_CONTEXTS = 64;

    private static final ContextCache<SslContext> CACHE = new ContextCache<>(MAX_CACHED_CONTEXTS);

    private SslContexts() {
    }

    /** The client context for {@code params} on {@link TlsProvider#preferred()}. */
    public static SslContext forClient(SecurityParameters params) {
        return forClient(params, TlsProvider.preferred());
    }

    /** The client context for {@code params} on {@code provider}. */
    public static SslContext forClient(SecurityParameters params, SslProvider provider) {
        return get(params, false, provider);
    }

    /**
     * The server context for {@code params} on {@link TlsProvider#preferred()}.
     *
     * @throws TransportServicesException INVALID_CONFIGURATION when no identity is configured
     */
    public static SslContext forServer(SecurityParameters params) {
        return forServer(params, TlsProvider.preferred());
    }

    /** The server context for {@code params} on {@code provider}. */
    public static SslContext forServer(SecurityParameters params, SslProvider provider) {
        return get(params, true, provider);
    }

    /**
     * The client context {@link #forClient(SecurityParameters)} would return, if it is cached and
     * can be shared: null when a new one must be built (not cached yet, or a context per connection
     * because no session may be kept on JSSE). Never builds, so it may run on an event loop.
     */
    public static SslContext cachedClient(SecurityParameters params) {
        Objects.requireNonNull(params, "params");
        if (params.level() == SecurityLevel.DISABLED) {
            return null;
        }
        SslProvider effective = effectiveProvider(params, TlsProvider.preferred());
        if (sessionCacheDisabled(params) && effective == SslProvider.JDK) {
            return null;
        }
        return CACHE.peek(new ContextCache.Key(params, false, effective));
    }

    /** How many contexts are cached (for the actuator endpoint and tests). */
    public static int cacheSize() {
        return CACHE.size();
    }

    /**
     * A new client context for {@code params} that no other connection shares: its TLS session
     * cache is empty and private (isolateSession, RFC 9622 §8.1.10, RFC 9623 §9.1, M-66).
     */
    public static SslContext newClient(SecurityParameters params) {
        Objects.requireNonNull(params, "params");
        if (params.level() == SecurityLevel.DISABLED) {
            throw invalid("security is disabled for these parameters; no TLS context can be built");
        }
        return build(params, false, effectiveProvider(params, TlsProvider.preferred()));
    }

    /** The TLS sessions cached for resumption by every cached client context. */
    public static int clientSessionCount() {
        int sessions = 0;
        for (SslContext context : cachedClientContexts()) {
            sessions += sessionCount(context);
        }
        return sessions;
    }

    /** Forgets the cached sessions of every cached client context: no later handshake resumes them. */
    public static void clearClientSessions() {
        for (SslContext context : cachedClientContexts()) {
            clearSessions(context);
        }
    }

    /** The sessions {@code context} holds for resumption. */
    public static int sessionCount(SslContext context) {
        javax.net.ssl.SSLSessionContext sessions = context.sessionContext();
        int count = 0;
        if (sessions != null) {
            for (java.util.Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements(); ids.nextElement()) {
                count++;
            }
        }
        return count;
    }

    /** Invalidates every session {@code context} holds. */
    public static void clearSessions(SslContext context) {
        javax.net.ssl.SSLSessionContext sessions = context.sessionContext();
        if (sessions == null) {
            return;
        }
        List<byte[]> ids = java.util.Collections.list(sessions.getIds());
        for (byte[] id : ids) {
            javax.net.ssl.SSLSession session = sessions.getSession(id);
            if (session != null) {
                session.invalidate();
            }
        }
    }

    private static List<SslContext> cachedClientContexts() {
        return CACHE.clientContexts();
    }

    private static SslContext get(SecurityParameters params, boolean server, SslProvider provider) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(provider, "provider");
        if (params.level() == SecurityLevel.DISABLED) {
            throw invalid("security is disabled for these parameters; no TLS context can be built");
        }
        SslProvider effective = effectiveProvider(params, provider);
        if (sessionCacheDisabled(params) && effective == SslProvider.JDK && !server) {
            // JSSE has no switch for its client session cache (a size of 0 means unlimited), and
            // the cache lives in the context: a context per connection is the only way to never resume.
            return build(params, false, effective);
        }
        return CACHE.get(new ContextCache.Key(params, server, effective), () -> build(params, server, effective));
    }

    private static SslProvider effectiveProvider(SecurityParameters params, SslProvider requested) {
        if (requested == SslProvider.JDK) {
            return SslProvider.JDK;
        }
        if (!OpenSsl.isAvailable()) {
            return SslProvider.JDK;
        }
        for (Identity id : params.identities()) {
            if (id.privateKey().getEncoded() == null) {
                return SslProvider.JDK;
            }
        }
        if (!params.identities().isEmpty() || params.identityChallengeCallback().isPresent()) {
            if (!OpenSsl.supportsKeyManagerFactory()) {
                return SslProvider.JDK;
            }
        }
        return requested == SslProvider.OPENSSL_REFCNT ? SslProvider.OPENSSL : requested;
    }

    private static SslContext build(SecurityParameters params, boolean server, SslProvider provider) {
        BlockingWork.check("building a TLS context");
        if (server && params.identities().isEmpty()) {
            throw invalid("a server (Listener) needs at least one identity (SEC-02); security is required by"
                    + " default (RFC 9622 §6.3): add an identity, or use SecurityParameters.disabled() for a cleartext Listener");
        }
        IdentityKeyManager keyManager = params.identities().isEmpty() && params.identityChallengeCallback().isEmpty()
                ? null : new IdentityKeyManager(params.identities(), params.identityChallengeCallback().orElse(null));
        SslContextBuilder b = server ? SslContextBuilder.forServer(keyManager) : SslContextBuilder.forClient();
        if (!server && keyManager != null) {
            b.keyManager(keyManager);
        }
        b.sslProvider(provider);
        b.trustManager(TapsTrustManager.forTlsOverTcp(params));
        b.protocols(protocols(params.allowedProtocols()));
        if (!params.cipherSuites().isEmpty()) {
            checkCiphers(params.cipherSuites(), provider);
            // Exactly the configured suites: a silently substituted default would defeat SEC-05.
            b.ciphers(params.cipherSuites(), IdentityCipherSuiteFilter.INSTANCE);
        }
        // Providers read a cache size of 0 as "their default"; 0 means no cache here (SEC-06).
        params.maxCachedSessions().ifPresent(size -> {
            if (size > 0) {
                b.sessionCacheSize(size);
            }
        });
        params.cachedSessionLifetime().ifPresent(d -> b.sessionTimeout(d.getSeconds()));
        if (server) {
            b.clientAuth(toNetty(params.clientAuthentication()));
        } else {
            // Netty 4.2 verifies hostnames by default; taps decides per parameters instead. The
            // handler sets it again per connection (TlsHandlers), this is the context-wide default.
            b.endpointIdentificationAlgorithm(hostnameVerification(params) ? "HTTPS" : null);
        }
        if (!params.alpn().isEmpty()) {
            b.applicationProtocolConfig(alpnConfig(params.alpn(), server, provider));
        }
        try {
            SslContext context = b.build();
            if (sessionCacheDisabled(params) && context.sessionContext() instanceof OpenSslSessionContext) {
                ((OpenSslSessionContext) context.sessionContext()).setSessionCacheEnabled(false);
            }
            return context;
        } catch (SSLException | RuntimeException e) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "cannot build " + (server ? "server" : "client") + " TLS context on "
                            + TlsProvider.describe(provider) + ": " + e.getMessage(), e);
        }
    }

    /** {@code maxCachedSessions(0)}: no TLS session is kept, so no handshake resumes one (SEC-06). */
    static boolean sessionCacheDisabled(SecurityParameters params) {
        return params.maxCachedSessions().orElse(-1) == 0;
    }

    /** Whether hostnames are verified: only meaningful when the chain itself is verified or judged. */
    static boolean hostnameVerification(SecurityParameters params) {
        return params.verifyHostname()
                && (params.verifyCertificate() || params.trustVerificationCallback().isPresent());
    }

    private static ApplicationProtocolConfig alpnConfig(List<String> alpn, boolean server, SslProvider provider) {
        if (provider == SslProvider.JDK) {
            // JSSE can enforce ALPN in the handshake: a server without a common protocol sends
            // no_application_protocol (RFC 7301 §3.2), a client refuses an unoffered selection.
            return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    server ? ApplicationProtocolConfig.SelectorFailureBehavior.FATAL_ALERT
                            : ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.FATAL_ALERT, alpn);
        }
        // Netty's BoringSSL binding supports only NO_ADVERTISE/ACCEPT: a server without a common
        // protocol answers without ALPN, and TlsHandlers.handshake(...) fails such a client connection.
        // BoringSSL itself rejects a server selection the client did not offer.
        return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn);
    }

    private static String[] protocols(Set<TlsVersion> allowed) {
        List<String> names = new ArrayList<>();
        // newest first: providers treat the list as a set, but logs read better this way
        if (allowed.contains(TlsVersion.TLS_1_3)) {
            names.add(TlsVersion.TLS_1_3.protocolName());
        }
        if (allowed.contains(TlsVersion.TLS_1_2)) {
            names.add(TlsVersion.TLS_1_2.protocolName());
        }
        return names.toArray(new String[0]);
    }

    private static void checkCiphers(List<String> suites, SslProvider provider) {
        Set<String> jdkSupported;
        try {
            jdkSupported = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw invalid("no default SSLContext to check cipher suites against: " + e.getMessage());
        }
        for (String s : suites) {
            boolean known = provider == SslProvider.JDK ? jdkSupported.contains(s) : OpenSsl.isCipherSuiteAvailable(s);
            if (!known) {
                throw invalid("cipher suite '" + s + "' is not supported by " + TlsProvider.describe(provider));
            }
        }
    }

    static ClientAuth toNetty(io.taps.security.ClientAuthentication auth) {
        switch (auth) {
            case OPTIONAL:
                return ClientAuth.OPTIONAL;
            case REQUIRE:
                return ClientAuth.REQUIRE;
            default:
                return ClientAuth.NONE;
        }
    }

    private static TransportServicesException invalid(String message) {
        return new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, message);
    }
}

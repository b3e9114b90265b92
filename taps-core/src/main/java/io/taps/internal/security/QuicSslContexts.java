package io.taps.internal.security;

import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.blocking.BlockingWork;
import io.taps.security.SecurityLevel;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import java.util.Objects;

/**
 * Builds and caches the TLS 1.3 contexts of taps' QUIC stack from {@link SecurityParameters}
 * (RFC 9622 §6.3, RFC 9001; design.md ), with the same identity and trust handling as
 * TLS/TCP ({@link IdentityKeyManager}, {@link TapsTrustManager}: trust anchors, pinning, the trust
 * verification callback, hostname verification), so that a QUIC and a TLS/TCP attempt of one race
 * verify the peer identically.
 *
 * <p>Contexts are cached per (parameters, side) because a client context owns the QUIC session
 * cache: resumption and 0-RTT early data (RFC 9001 §4.6) need the ticket of an earlier connection
 * made through the same context. Clients may always send early data, but only messages marked
 * safelyReplayable (RFC 9622 §9.1.3.4, decided by the caller); a server accepts it only when its
 * Listener opted in ({@code zeroRttMsg} Require or Prefer), since 0-RTT data can be replayed.
 *
 * <p>QUIC requires ALPN (RFC 9001 §8.1) and TLS 1.3; callers check both before building (candidate
 * selection removes QUIC otherwise).
 */
public final class QuicSslContexts {
    private static final int MAX_CACHED_CONTEXTS = 64;

    private static final ContextCache<QuicSslContext> CACHE = new ContextCache<>(MAX_CACHED_CONTEXTS);

    private QuicSslContexts() {
    }

    /** The client context for {@code params}. */
    public static QuicSslContext forClient(SecurityParameters params) {
        return get(params, false);
    }

    /**
     * The client context {@link #forClient} would return, if it is cached and shared: null when one
     * must be built (not cached yet, or one per connection under maxCachedSessions(0)) or when QUIC
     * cannot use {@code params}. Never builds, so it may run on an event loop.
     */
    public static QuicSslContext cachedClient(SecurityParameters params) {
        Objects.requireNonNull(params, "params");
        if (unusableReason(params) != null || SslContexts.sessionCacheDisabled(params)) {
            return null;
        }
        return CACHE.peek(new ContextCache.Key(params, false, null));
    }

    /**
     * A new client context of its own for {@code params} (an isolateSession scope's, CP-10): its QUIC
     * session cache starts empty and is nobody else's.
     */
    public static QuicSslContext newClient(SecurityParameters params) {
        requireUsable(params);
        return build(params, false);
    }

    /**
     * The server context for {@code params}.
     *
     * @throws TransportServicesException INVALID_CONFIGURATION when no identity is configured
     */
    public static QuicSslContext forServer(SecurityParameters params) {
        return forServer(params, false);
    }

    /**
     * The server context for {@code params}, accepting 0-RTT early data only when
     * {@code acceptEarlyData} (the Listener opted in with {@code zeroRttMsg}, RFC 9622 §6.2.5):
     * otherwise its session tickets allow no early data, so clients never send any.
     *
     * @throws TransportServicesException INVALID_CONFIGURATION when no identity is configured
     */
    public static QuicSslContext forServer(SecurityParameters params, boolean acceptEarlyData) {
        requireUsable(params);
        return CACHE.get(new ContextCache.Key(params, true, null, acceptEarlyData),
                () -> build(params, true, acceptEarlyData));
    }

    /** Why QUIC cannot use these parameters, or {@code null} when it can (ALPN set, TLS 1.3 allowed, security on). */
    public static String unusableReason(SecurityParameters params) {
        if (params.level() == SecurityLevel.DISABLED) {
            return "security is disabled";
        }
        if (params.alpn().isEmpty()) {
            return "the SecurityParameters list no ALPN protocol (QUIC requires ALPN, RFC 9001 §8.1)";
        }
        if (!params.allowedProtocols().contains(TlsVersion.TLS_1_3)) {
            return "TLS 1.3 is not an allowed protocol (QUIC always uses TLS 1.3, RFC 9001)";
        }
        if (!params.cipherSuites().isEmpty()) {
            return "explicit cipher suites are configured, which the QUIC TLS stack cannot restrict (SEC-05)";
        }
        return null;
    }

    private static void requireUsable(SecurityParameters params) {
        Objects.requireNonNull(params, "params");
        String unusable = unusableReason(params);
        if (unusable != null) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, "QUIC cannot be used: " + unusable);
        }
    }

    private static QuicSslContext get(SecurityParameters params, boolean server) {
        requireUsable(params);
        if (!server && SslContexts.sessionCacheDisabled(params)) {
            // maxCachedSessions(0), SEC-06: the session cache lives in the context, so a context per
            // connection is the only way never to resume (and never to send 0-RTT data).
            return build(params, false);
        }
        return CACHE.get(new ContextCache.Key(params, server, null), () -> build(params, server));
    }

    private static QuicSslContext build(SecurityParameters params, boolean server) {
        return build(params, server, !server);
    }

    private static QuicSslContext build(SecurityParameters params, boolean server, boolean earlyData) {
        BlockingWork.check("building a QUIC TLS context");
        if (server && params.identities().isEmpty()) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "a server (Listener) needs at least one identity (SEC-02); security is required by"
                    + " default (RFC 9622 §6.3): add an identity, or use SecurityParameters.disabled() for a cleartext Listener");
        }
        IdentityKeyManager keyManager = params.identities().isEmpty() && params.identityChallengeCallback().isEmpty()
                ? null : new IdentityKeyManager(params.identities(), params.identityChallengeCallback().orElse(null));
        QuicSslContextBuilder b = server ? QuicSslContextBuilder.forServer(keyManager, null)
                : QuicSslContextBuilder.forClient();
        if (!server && keyManager != null) {
            b.keyManager(keyManager, null);
        }
        b.trustManager(new TapsTrustManager(params));
        b.applicationProtocols(params.alpn().toArray(new String[0]));
        b.earlyData(earlyData);
        params.maxCachedSessions().ifPresent(size -> {
            if (size > 0) {
                b.sessionCacheSize(size);
            }
        });
        params.cachedSessionLifetime().ifPresent(d -> b.sessionTimeout(d.getSeconds()));
        if (server) {
            b.clientAuth(SslContexts.toNetty(params.clientAuthentication()));
        } else {
            b.endpointIdentificationAlgorithm(SslContexts.hostnameVerification(params) ? "HTTPS" : null);
        }
        try {
            return b.build();
        } catch (RuntimeException e) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "cannot build " + (server ? "server" : "client") + " QUIC TLS context: " + e.getMessage(), e);
        }
    }
}

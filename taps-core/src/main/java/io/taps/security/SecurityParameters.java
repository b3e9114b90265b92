package io.taps.security;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The security configuration of a Preconnection, Connection or Listener (RFC 9622 §6.3; checklist
 * O-04, A-05, SEC-01..SEC-15, Q-17). Immutable; build with {@link #builder()}.
 *
 * <p><b>Secure by default (SEC-13, Q-17).</b> {@link #builder()} starts from {@link SecurityLevel#REQUIRED}
 * with certificate verification and hostname verification on, TLS 1.2 and 1.3 allowed, and the
 * system trust store used unless {@link Builder#trustAnchors trust anchors} are given. Only stacks with
 * identical security race each other, and taps never falls back to plaintext or an older TLS version.
 * {@link #disabled()} (SEC-08) and {@link #opportunistic()} (SEC-09) are the explicit ways out.
 *
 * <p><b>Parameters</b> (RFC 9622 §6.3.1 names in brackets):
 * <ul>
 *   <li>identities [serverCertificate, clientCertificate] (SEC-02): several may be given, e.g. an RSA
 *       and an EC one; the handshake picks one the peer accepts. A client identity is used only for
 *       client authentication (SEC-14).</li>
 *   <li>trust anchors, {@code verifyCertificate}, {@code verifyHostname}, {@code serverName}.</li>
 *   <li>pinned server certificates [pinnedServerCertificate] (SEC-03): the server's chain must contain
 *       one of them, <em>in addition</em> to passing verification; a pinned self-signed certificate
 *       must therefore also be a trust anchor (or be accepted by the trust callback).</li>
 *   <li>ALPN [alpn] (SEC-04), allowed protocols [allowedSecurityProtocols] (SEC-01), cipher suites
 *       [ciphersuite] (SEC-05), session cache [maxCachedSessions, cachedSessionLifetimeSeconds] (SEC-06:
 *       unless set, the TLS provider's defaults apply).</li>
 *   <li>trust verification callback (SEC-10, O-11) and identity challenge callback (SEC-11). Both block
 *       the handshake and run on the connection's event loop: they must not block.</li>
 * </ul>
 *
 * <p><b>Not supported:</b> pre-shared keys [preSharedKey] (SEC-07), because Netty's TLS providers
 * here offer no external-PSK configuration; supported groups and signature algorithms (part of
 * SEC-05) use the provider defaults.
 *
 * <p>Equality is by value; callbacks compare by identity. {@link #toString()} never shows key
 * material, only counts such as {@code identities=1}.
 */
public final class SecurityParameters {
    private static final SecurityParameters DISABLED = new Builder().level(SecurityLevel.DISABLED)
            .verifyCertificate(false).verifyHostname(false).build();
    private static final SecurityParameters OPPORTUNISTIC = new Builder().level(SecurityLevel.OPPORTUNISTIC)
            .verifyCertificate(false).verifyHostname(false).build();
    private static final SecurityParameters SECURE_DEFAULT = new Builder().build();

    private final SecurityLevel level;
    private final List<Identity> identities;
    private final List<X509Certificate> trustAnchors;
    private final List<X509Certificate> pinnedServerCertificates;
    private final boolean verifyCertificate;
    private final boolean verifyHostname;
    private final String serverName;
    private final List<String> alpn;
    private final Set<TlsVersion> allowedProtocols;
    private final List<String> cipherSuites;
    private final Integer maxCachedSessions;
    private final Duration cachedSessionLifetime;
    private final ClientAuthentication clientAuthentication;
    private final TrustVerificationCallback trustVerificationCallback;
    private final IdentityChallengeCallback identityChallengeCallback;
    private final int hash; // once: the TLS context is looked up by this value on every secure attempt

    private SecurityParameters(Builder b) {
        this.level = b.level;
        this.identities = List.copyOf(b.identities);
        this.trustAnchors = List.copyOf(b.trustAnchors);
        this.pinnedServerCertificates = List.copyOf(b.pinnedServerCertificates);
        this.verifyCertificate = b.verifyCertificate;
        this.verifyHostname = b.verifyHostname;
        this.serverName = b.serverName;
        this.alpn = List.copyOf(b.alpn);
        this.allowedProtocols = Set.copyOf(b.allowedProtocols);
        this.cipherSuites = List.copyOf(b.cipherSuites);
        this.maxCachedSessions = b.maxCachedSessions;
        this.cachedSessionLifetime = b.cachedSessionLifetime;
        this.clientAuthentication = b.clientAuthentication;
        this.trustVerificationCallback = b.trustVerificationCallback;
        this.identityChallengeCallback = b.identityChallengeCallback;
        this.hash = Objects.hash(level, verifyCertificate, verifyHostname, identities, trustAnchors, pinnedServerCertificates,
                serverName, alpn, allowedProtocols, cipherSuites, maxCachedSessions, cachedSessionLifetime, clientAuthentication,
                System.identityHashCode(trustVerificationCallback), System.identityHashCode(identityChallengeCallback));
    }

    /** A builder with the secure defaults (SEC-13): REQUIRED, verification on, TLS 1.2 and 1.3. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * What a Preconnection uses when it is given no Security Parameters (RFC 9622 §6.3, SEC-13): TLS
     * required, certificate verification against the system trust store and hostname verification
     * on, TLS 1.2 and 1.3; the same as {@code builder().build()}.
     */
    public static SecurityParameters secureDefault() {
        return SECURE_DEFAULT;
    }

    /**
     * No security is added (RFC 9622 §6.3 {@code NewDisabledSecurityParameters}, SEC-08): the only
     * way to cleartext-only Connections and Listeners, since a Preconnection without Security
     * Parameters requires TLS ({@link #secureDefault()}).
     */
    public static SecurityParameters disabled() {
        return DISABLED;
    }

    /**
     * Plaintext allowed, unauthenticated TLS tried (RFC 9622 §6.3
     * {@code NewOpportunisticSecurityParameters}, SEC-09): certificate and hostname verification are off.
     * An Initiate races the secure stacks first and starts the cleartext ones only as a failover,
     * once every secure attempt has failed; a Listener (which needs an identity for its TLS side,
     * {@code opportunistic().toBuilder().identity(...)}) accepts TLS and cleartext clients on the
     * same port, telling them apart by the first bytes a client sends.
     */
    public static SecurityParameters opportunistic() {
        return OPPORTUNISTIC;
    }

    /** A builder that starts from these parameters (SEC-12: clones inherit them unchanged). */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** How much security is required. */
    public SecurityLevel level() {
        return level;
    }

    /** Local identities (key and chain), in preference order (SEC-02). */
    public List<Identity> identities() {
        return identities;
    }

    /** Trust anchors; empty means the system trust store. */
    public List<X509Certificate> trustAnchors() {
        return trustAnchors;
    }

    /** Pinned server certificates; empty means no pinning (SEC-03). */
    public List<X509Certificate> pinnedServerCertificates() {
        return pinnedServerCertificates;
    }

    /** Whether the peer's chain is verified against the trust anchors (RFC 5280). */
    public boolean verifyCertificate() {
        return verifyCertificate;
    }

    /** Whether the server's certificate must match the name connected to (RFC 6125 / HTTPS rules). */
    public boolean verifyHostname() {
        return verifyHostname;
    }

    /** The name sent in SNI and verified, when it differs from the endpoint's host name. */
    public Optional<String> serverName() {
        return Optional.ofNullable(serverName);
    }

    /** ALPN protocol identifiers in preference order; empty means no ALPN (SEC-04). */
    public List<String> alpn() {
        return alpn;
    }

    /** The TLS versions allowed (SEC-01). */
    public Set<TlsVersion> allowedProtocols() {
        return allowedProtocols;
    }

    /** Cipher suites in preference order; empty means the provider's defaults (SEC-05). */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /** The session cache size, when set; the provider default applies otherwise (SEC-06). */
    public OptionalInt maxCachedSessions() {
        return maxCachedSessions == null ? OptionalInt.empty() : OptionalInt.of(maxCachedSessions);
    }

    /** The lifetime of cached sessions, when set; the provider default applies otherwise (SEC-06). */
    public Optional<Duration> cachedSessionLifetime() {
        return Optional.ofNullable(cachedSessionLifetime);
    }

    /** Whether a server asks clients for certificates. */
    public ClientAuthentication clientAuthentication() {
        return clientAuthentication;
    }

    /** The trust verification callback (SEC-10), when set. */
    public Optional<TrustVerificationCallback> trustVerificationCallback() {
        return Optional.ofNullable(trustVerificationCallback);
    }

    /** The identity challenge callback (SEC-11), when set. */
    public Optional<IdentityChallengeCallback> identityChallengeCallback() {
        return Optional.ofNullable(identityChallengeCallback);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SecurityParameters)) {
            return false;
        }
        SecurityParameters p = (SecurityParameters) o;
        return level == p.level && verifyCertificate == p.verifyCertificate && verifyHostname == p.verifyHostname
                && identities.equals(p.identities) && trustAnchors.equals(p.trustAnchors)
                && pinnedServerCertificates.equals(p.pinnedServerCertificates)
                && Objects.equals(serverName, p.serverName) && alpn.equals(p.alpn)
                && allowedProtocols.equals(p.allowedProtocols) && cipherSuites.equals(p.cipherSuites)
                && Objects.equals(maxCachedSessions, p.maxCachedSessions)
                && Objects.equals(cachedSessionLifetime, p.cachedSessionLifetime)
                && clientAuthentication == p.clientAuthentication
                // callbacks are code, so only the same instance is the same configuration
                && trustVerificationCallback == p.trustVerificationCallback
                && identityChallengeCallback == p.identityChallengeCallback;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        // Counts only: certificates are public, but keys must never reach a log line.
        return "SecurityParameters[level=" + level + ", identities=" + identities.size()
                + ", trustAnchors=" + (trustAnchors.isEmpty() ? "system" : String.valueOf(trustAnchors.size()))
                + ", pinned=" + pinnedServerCertificates.size() + ", verifyCertificate=" + verifyCertificate
                + ", verifyHostname=" + verifyHostname + ", serverName=" + serverName + ", alpn=" + alpn
                + ", protocols=" + protocolNames() + ", cipherSuites=" + cipherSuites.size()
                + ", maxCachedSessions=" + maxCachedSessions + ", cachedSessionLifetime=" + cachedSessionLifetime
                + ", clientAuthentication=" + clientAuthentication
                + ", trustCallback=" + (trustVerificationCallback != null)
                + ", identityCallback=" + (identityChallengeCallback != null) + "]";
    }

    private List<String> protocolNames() {
        List<String> names = new ArrayList<>();
        for (TlsVersion v : TlsVersion.values()) {
            if (allowedProtocols.contains(v)) {
                names.add(v.protocolName());
            }
        }
        return names;
    }

    /**
     * Builds {@link SecurityParameters}. List-valued setters replace the previous value, except
     * {@code identity(...)}, which adds one identity. Not thread-safe.
     */
    public static final class Builder {
        private SecurityLevel level = SecurityLevel.REQUIRED;
        private final List<Identity> identities = new ArrayList<>();
        private List<X509Certificate> trustAnchors = List.of();
        private List<X509Certificate> pinnedServerCertificates = List.of();
        private boolean verifyCertificate = true;
        private boolean verifyHostname = true;
        private String serverName;
        private List<String> alpn = List.of();
        private Set<TlsVersion> allowedProtocols = EnumSet.allOf(TlsVersion.class);
        private List<String> cipherSuites = List.of();
        private Integer maxCachedSessions;
        private Duration cachedSessionLifetime;
        private ClientAuthentication clientAuthentication = ClientAuthentication.NONE;
        private TrustVerificationCallback trustVerificationCallback;
        private IdentityChallengeCallback identityChallengeCallback;

        private Builder() {
        }

        private Builder(SecurityParameters p) {
            level = p.level;
            identities.addAll(p.identities);
            trustAnchors = p.trustAnchors;
            pinnedServerCertificates = p.pinnedServerCertificates;
            verifyCertificate = p.verifyCertificate;
            verifyHostname = p.verifyHostname;
            serverName = p.serverName;
            alpn = p.alpn;
            allowedProtocols = p.allowedProtocols.isEmpty() ? EnumSet.noneOf(TlsVersion.class)
                    : EnumSet.copyOf(p.allowedProtocols);
            cipherSuites = p.cipherSuites;
            maxCachedSessions = p.maxCachedSessions;
            cachedSessionLifetime = p.cachedSessionLifetime;
            clientAuthentication = p.clientAuthentication;
            trustVerificationCallback = p.trustVerificationCallback;
            identityChallengeCallback = p.identityChallengeCallback;
        }

        /** Sets the security level (default REQUIRED). */
        public Builder level(SecurityLevel level) {
            this.level = Objects.requireNonNull(level, "level");
            return this;
        }

        /** Adds an identity made of {@code key} and its chain, leaf first (SEC-02). */
        public Builder identity(PrivateKey key, X509Certificate... chain) {
            return identity(Identity.of(key, chain));
        }

        /** Adds an identity (SEC-02). */
        public Builder identity(Identity identity) {
            identities.add(Objects.requireNonNull(identity, "identity"));
            return this;
        }

        /** Replaces the trust anchors; none means the system trust store. */
        public Builder trustAnchors(X509Certificate... anchors) {
            return trustAnchors(Arrays.asList(Objects.requireNonNull(anchors, "anchors")));
        }

        /** Replaces the trust anchors; none means the system trust store. */
        public Builder trustAnchors(Collection<? extends X509Certificate> anchors) {
            this.trustAnchors = copyNonNull(anchors, "trust anchor");
            return this;
        }

        /**
         * Replaces the trust anchors with every certificate in the given PEM files
         * ({@code BEGIN CERTIFICATE} blocks, as {@link Identity#fromPem(Path, Path)} reads chains).
         *
         * @throws TransportServicesException INVALID_CONFIGURATION when a file cannot be read, holds
         *     something that is not a certificate, or no certificate at all
         */
        public Builder trustAnchorsFromPem(Path... pemFiles) {
            Objects.requireNonNull(pemFiles, "pemFiles");
            List<X509Certificate> anchors = new ArrayList<>();
            for (Path file : pemFiles) {
                try (InputStream in = Files.newInputStream(Objects.requireNonNull(file, "pemFile"))) {
                    anchors.addAll(readCertificates(in, file.toString()));
                } catch (IOException e) {
                    throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                            "cannot read trust anchor PEM file " + file + ": " + e.getMessage(), e);
                }
            }
            return trustAnchors(anchors);
        }

        /** Like {@link #trustAnchorsFromPem(Path...)} from a stream, which is read fully but not closed. */
        public Builder trustAnchorsFromPem(InputStream pem) {
            return trustAnchors(readCertificates(Objects.requireNonNull(pem, "pem"), "stream"));
        }

        private static List<X509Certificate> readCertificates(InputStream in, String source) {
            List<X509Certificate> out = new ArrayList<>();
            try {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    out.add((X509Certificate) c);
                }
            } catch (CertificateException | RuntimeException e) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                        "cannot parse trust anchor PEM (" + source + "): " + e.getMessage(), e);
            }
            if (out.isEmpty()) {
                throw invalid("no certificate (BEGIN CERTIFICATE) in trust anchor PEM (" + source + ")");
            }
            return out;
        }

        /** Replaces the pinned server certificates (SEC-03). */
        public Builder pinnedServerCertificates(X509Certificate... pinned) {
            this.pinnedServerCertificates = copyNonNull(Arrays.asList(Objects.requireNonNull(pinned, "pinned")),
                    "pinned certificate");
            return this;
        }

        /**
         * Turns certificate verification on (default) or off. <b>Off accepts any certificate from
         * anyone, including an active attacker</b>; it is meant for opportunistic security only. With
         * verification off, hostname verification is skipped as well, since a name in an unverified
         * certificate proves nothing. A trust callback, when set, still decides.
         */
        public Builder verifyCertificate(boolean verify) {
            this.verifyCertificate = verify;
            return this;
        }

        /** Turns hostname verification on (default) or off. */
        public Builder verifyHostname(boolean verify) {
            this.verifyHostname = verify;
            return this;
        }

        /** Sets the name sent in SNI and verified against the certificate, instead of the endpoint's. */
        public Builder serverName(String name) {
            if (name != null && name.isBlank()) {
                throw invalid("serverName must not be blank");
            }
            this.serverName = name;
            return this;
        }

        /** Replaces the ALPN protocol identifiers, most preferred first (SEC-04). */
        public Builder alpn(String... protocols) {
            List<String> list = copyNonNull(Arrays.asList(Objects.requireNonNull(protocols, "protocols")), "ALPN id");
            for (String p : list) {
                int len = p.getBytes(StandardCharsets.UTF_8).length;
                if (len == 0 || len > 255) {
                    throw invalid("ALPN protocol identifier must be 1..255 bytes, got '" + p + "'");
                }
            }
            if (Set.copyOf(list).size() != list.size()) {
                throw invalid("duplicate ALPN protocol identifier in " + list);
            }
            this.alpn = list;
            return this;
        }

        /** Replaces the allowed TLS versions (SEC-01); at least one is required. */
        public Builder allowedProtocols(TlsVersion... versions) {
            Objects.requireNonNull(versions, "versions");
            if (versions.length == 0) {
                throw invalid("at least one TLS version must be allowed");
            }
            EnumSet<TlsVersion> set = EnumSet.noneOf(TlsVersion.class);
            for (TlsVersion v : versions) {
                set.add(Objects.requireNonNull(v, "version"));
            }
            this.allowedProtocols = set;
            return this;
        }

        /**
         * Replaces the cipher suites, in preference order (SEC-05); none means the provider's defaults.
         * Names unknown to the TLS provider are rejected when a context is built.
         */
        public Builder cipherSuites(String... suites) {
            List<String> list = copyNonNull(Arrays.asList(Objects.requireNonNull(suites, "suites")), "cipher suite");
            for (String s : list) {
                if (s.isBlank()) {
                    throw invalid("cipher suite name must not be blank");
                }
            }
            this.cipherSuites = list;
            return this;
        }

        /** Sets the TLS session cache size (SEC-06); 0 keeps no session, so no handshake resumes one. */
        public Builder maxCachedSessions(int max) {
            if (max < 0) {
                throw invalid("maxCachedSessions must be >= 0, got " + max);
            }
            this.maxCachedSessions = max;
            return this;
        }

        /** Sets the lifetime of cached TLS sessions (SEC-06), at least one second. */
        public Builder cachedSessionLifetime(Duration lifetime) {
            Objects.requireNonNull(lifetime, "lifetime");
            if (lifetime.getSeconds() < 1) {
                throw invalid("cachedSessionLifetime must be at least 1 second, got " + lifetime);
            }
            this.cachedSessionLifetime = lifetime;
            return this;
        }

        /** Sets whether a server asks clients for certificates (default NONE). */
        public Builder clientAuthentication(ClientAuthentication auth) {
            this.clientAuthentication = Objects.requireNonNull(auth, "clientAuthentication");
            return this;
        }

        /** Sets the trust verification callback (SEC-10, O-11), or clears it with {@code null}. */
        public Builder trustVerificationCallback(TrustVerificationCallback callback) {
            this.trustVerificationCallback = callback;
            return this;
        }

        /** Sets the identity challenge callback (SEC-11), or clears it with {@code null}. */
        public Builder identityChallengeCallback(IdentityChallengeCallback callback) {
            this.identityChallengeCallback = callback;
            return this;
        }

        /** Builds the immutable parameters. */
        public SecurityParameters build() {
            if (allowedProtocols.isEmpty()) {
                throw invalid("at least one TLS version must be allowed");
            }
            return new SecurityParameters(this);
        }

        private static <T> List<T> copyNonNull(Collection<? extends T> values, String what) {
            Objects.requireNonNull(values, what + "s");
            for (T v : values) {
                if (v == null) {
                    throw invalid(what + " must not be null");
                }
            }
            return List.copyOf(values);
        }

        private static TransportServicesException invalid(String message) {
            return new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, message);
        }
    }
}

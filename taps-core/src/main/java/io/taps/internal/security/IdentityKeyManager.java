package io.taps.internal.security;

import io.taps.security.Identity;
import io.taps.security.IdentityChallenge;
import io.taps.security.IdentityChallengeCallback;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.security.auth.x500.X500Principal;

/**
 * Presents the configured identities and consults the identity challenge callback (RFC 9622 §6.3.2;
 * checklist SEC-02, SEC-11, SEC-14). Works with both providers: JSSE and Netty's BoringSSL binding
 * both call the engine-aware {@code choose*Alias} methods, then fetch key and chain by alias.
 *
 * <p>Aliases are derived from the SHA-256 of the leaf certificate, so an alias always names the
 * same key and chain; this keeps Netty's per-alias key material caching correct for identities the
 * callback returns on the fly.
 */
final class IdentityKeyManager extends X509ExtendedKeyManager {
    /** Upper bound for identities remembered from the callback; beyond it the oldest are forgotten. */
    private static final int MAX_DYNAMIC = 256;

    private final List<Identity> configured;
    private final List<String> configuredAliases;
    private final IdentityChallengeCallback callback;
    private final Map<String, Identity> byAlias = new ConcurrentHashMap<>();

    IdentityKeyManager(List<Identity> identities, IdentityChallengeCallback callback) {
        this.configured = List.copyOf(identities);
        this.callback = callback;
        List<String> aliases = new ArrayList<>();
        for (Identity id : configured) {
            String alias = aliasOf(id);
            aliases.add(alias);
            byAlias.put(alias, id);
        }
        this.configuredAliases = List.copyOf(aliases);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return chooseClient(keyTypes, issuers, engine == null ? null : engine.getPeerHost());
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return chooseClient(keyTypes, issuers, null);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return chooseDefault(new String[] {keyType}, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return chooseDefault(new String[] {keyType}, issuers);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return matching(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return matching(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Identity id = alias == null ? null : byAlias.get(alias);
        return id == null ? null : id.certificateChain().toArray(new X509Certificate[0]);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Identity id = alias == null ? null : byAlias.get(alias);
        return id == null ? null : id.privateKey();
    }

    private String chooseClient(String[] keyTypes, Principal[] issuers, String peerHost) {
        if (callback != null) {
            List<X500Principal> acceptable = new ArrayList<>();
            if (issuers != null) {
                for (Principal p : issuers) {
                    acceptable.add(p instanceof X500Principal ? (X500Principal) p : new X500Principal(p.getName()));
                }
            }
            Optional<Identity> chosen = callback.select(new IdentityChallenge(
                    keyTypes == null ? List.of() : Arrays.asList(keyTypes), acceptable, peerHost));
            if (chosen != null && chosen.isPresent()) {
                Identity id = chosen.get();
                String alias = aliasOf(id);
                if (!byAlias.containsKey(alias)) {
                    if (byAlias.size() >= configured.size() + MAX_DYNAMIC) {
                        // keep the map bounded; configured identities are re-added below
                        byAlias.clear();
                        for (int i = 0; i < configured.size(); i++) {
                            byAlias.put(configuredAliases.get(i), configured.get(i));
                        }
                    }
                    byAlias.put(alias, id);
                }
                return alias;
            }
        }
        return chooseDefault(keyTypes, issuers);
    }

    /** The first configured identity of an accepted key type, preferring one from an accepted issuer. */
    private String chooseDefault(String[] keyTypes, Principal[] issuers) {
        String typeMatch = null;
        for (int i = 0; i < configured.size(); i++) {
            Identity id = configured.get(i);
            if (!keyTypeMatches(id, keyTypes)) {
                continue;
            }
            if (issuers == null || issuers.length == 0 || issuedByOneOf(id, issuers)) {
                return configuredAliases.get(i);
            }
            if (typeMatch == null) {
                typeMatch = configuredAliases.get(i);
            }
        }
        // A peer's issuer list is a hint; presenting a certificate lets the peer decide.
        return typeMatch;
    }

    private String[] matching(String keyType) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < configured.size(); i++) {
            if (keyTypeMatches(configured.get(i), new String[] {keyType})) {
                out.add(configuredAliases.get(i));
            }
        }
        return out.isEmpty() ? null : out.toArray(new String[0]);
    }

    private static boolean issuedByOneOf(Identity id, Principal[] issuers) {
        for (X509Certificate c : id.certificateChain()) {
            for (Principal p : issuers) {
                if (c.getIssuerX500Principal().equals(p) || c.getSubjectX500Principal().equals(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean keyTypeMatches(Identity id, String[] keyTypes) {
        if (keyTypes == null || keyTypes.length == 0) {
            return true;
        }
        String alg = keyFamily(id.privateKey().getAlgorithm());
        for (String t : keyTypes) {
            if (t == null) {
                continue;
            }
            // TLS 1.2 server types look like "EC_EC" or "EC_RSA" (key type, then issuer key type).
            String base = t.contains("_") ? t.substring(0, t.indexOf('_')) : t;
            if (alg.equals(keyFamily(base))) {
                return true;
            }
        }
        return false;
    }

    private static String keyFamily(String alg) {
        switch (alg) {
            case "ECDSA":
            case "EC":
                return "EC";
            case "Ed25519":
            case "Ed448":
            case "EdDSA":
                return "EdDSA";
            default:
                return alg;
        }
    }

    private static String aliasOf(Identity id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.certificate().getEncoded());
            return "taps-" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint certificate", e);
        }
    }
}

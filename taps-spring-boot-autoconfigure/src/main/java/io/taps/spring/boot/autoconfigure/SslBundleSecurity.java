package io.taps.spring.boot.autoconfigure;

import io.taps.ErrorReason;
import io.taps.security.Identity;
import io.taps.security.SecurityParameters;
import io.taps.security.TlsVersion;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslOptions;

/**
 * Maps a Spring Boot {@link SslBundle} onto taps {@link SecurityParameters} (RFC 9622 §6.3,
 * SEC-01, SEC-02, SEC-05): every private-key entry of the key store (or only the bundle key's
 * alias) becomes an {@link Identity}, every certificate of the trust store a trust anchor, and the
 * bundle's enabled protocols and ciphers the allowed TLS versions and cipher suites. Key material
 * stays inside the SecurityParameters, which never print it.
 */
final class SslBundleSecurity {
    private SslBundleSecurity() {
    }

    static void apply(SslBundle bundle, SecurityParameters.Builder builder) {
        KeyStore keyStore = bundle.getStores().getKeyStore();
        if (keyStore != null) {
            for (Identity identity : identities(keyStore, bundle.getKey(), bundle.getStores().getKeyStorePassword())) {
                builder.identity(identity);
            }
        }
        KeyStore trustStore = bundle.getStores().getTrustStore();
        if (trustStore != null) {
            List<X509Certificate> anchors = trustAnchors(trustStore);
            if (!anchors.isEmpty()) {
                builder.trustAnchors(anchors);
            }
        }
        SslOptions options = bundle.getOptions();
        String[] protocols = options.getEnabledProtocols();
        if (protocols != null) {
            builder.allowedProtocols(tlsVersions(protocols).toArray(TlsVersion[]::new));
        }
        String[] ciphers = options.getCiphers();
        if (ciphers != null) {
            builder.cipherSuites(ciphers);
        }
    }

    private static List<Identity> identities(KeyStore store, SslBundleKey key, @Nullable String storePassword) {
        char[] password = key.getPassword() != null ? key.getPassword().toCharArray()
                : storePassword != null ? storePassword.toCharArray() : new char[0];
        List<Identity> identities = new ArrayList<>();
        try {
            for (String alias : Collections.list(store.aliases())) {
                if ((key.getAlias() != null && !key.getAlias().equals(alias)) || !store.isKeyEntry(alias)) {
                    continue;
                }
                Key entry = store.getKey(alias, password);
                Certificate[] chain = store.getCertificateChain(alias);
                if (entry instanceof PrivateKey privateKey && chain != null && chain.length > 0) {
                    List<X509Certificate> certificates = new ArrayList<>();
                    for (Certificate certificate : chain) {
                        certificates.add((X509Certificate) certificate);
                    }
                    identities.add(Identity.of(privateKey, certificates));
                }
            }
        }
        catch (GeneralSecurityException ex) {
            throw new io.taps.TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "cannot read the SSL bundle's key store: " + ex.getMessage(), ex);
        }
        return identities;
    }

    private static List<X509Certificate> trustAnchors(KeyStore store) {
        List<X509Certificate> anchors = new ArrayList<>();
        try {
            for (String alias : Collections.list(store.aliases())) {
                Certificate certificate = store.getCertificate(alias);
                if (certificate instanceof X509Certificate x509) {
                    anchors.add(x509);
                }
            }
        }
        catch (GeneralSecurityException ex) {
            throw new io.taps.TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "cannot read the SSL bundle's trust store: " + ex.getMessage(), ex);
        }
        return anchors;
    }

    private static Set<TlsVersion> tlsVersions(String[] protocols) {
        Set<TlsVersion> versions = EnumSet.noneOf(TlsVersion.class);
        for (String protocol : protocols) {
            for (TlsVersion version : TlsVersion.values()) {
                if (version.protocolName().equalsIgnoreCase(protocol)) {
                    versions.add(version);
                }
            }
        }
        if (versions.isEmpty()) {
            throw new io.taps.TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "the SSL bundle enables none of the protocols taps supports (TLSv1.2, TLSv1.3)");
        }
        return versions;
    }
}

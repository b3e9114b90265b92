package io.taps.security;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A local identity: a private key and its certificate chain (RFC 9622 §6.3 "server certificate" and
 * "client certificate"; checklist SEC-02, SEC-14). Immutable.
 *
 * <p>The key is checked against the leaf certificate's public key when the identity is created, so
 * a mismatched pair fails at configuration time with InvalidConfiguration instead of during the
 * first handshake. {@link #toString()} names the certificate subject only and never key material.
 */
public final class Identity {
    private static final byte[] PROBE = "taps identity key check".getBytes(StandardCharsets.US_ASCII);

    private final PrivateKey privateKey;
    private final List<X509Certificate> certificateChain;

    private Identity(PrivateKey privateKey, List<X509Certificate> certificateChain) {
        this.privateKey = privateKey;
        this.certificateChain = certificateChain;
    }

    /**
     * Creates an identity from a key and its chain, leaf first.
     *
     * @throws TransportServicesException INVALID_CONFIGURATION when the chain is empty or the key does
     *     not belong to the leaf certificate
     */
    public static Identity of(PrivateKey privateKey, X509Certificate... certificateChain) {
        return of(privateKey, Arrays.asList(Objects.requireNonNull(certificateChain, "certificateChain")));
    }

    /** Like {@link #of(PrivateKey, X509Certificate...)} with a collection, leaf first. */
    public static Identity of(PrivateKey privateKey, Collection<? extends X509Certificate> certificateChain) {
        if (privateKey == null) {
            throw invalid("identity has no private key", null);
        }
        if (certificateChain == null || certificateChain.isEmpty()) {
            throw invalid("identity has an empty certificate chain", null);
        }
        for (X509Certificate c : certificateChain) {
            if (c == null) {
                throw invalid("identity certificate chain contains null", null);
            }
        }
        List<X509Certificate> chain = List.copyOf(certificateChain);
        checkKeyMatches(privateKey, chain.get(0));
        return new Identity(privateKey, chain);
    }

    /**
     * Reads an identity from PEM files: an unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY}) and a
     * certificate chain, leaf first.
     */
    public static Identity fromPem(Path keyPem, Path certChainPem) {
        try (InputStream key = Files.newInputStream(keyPem); InputStream chain = Files.newInputStream(certChainPem)) {
            return fromPem(key, chain);
        } catch (IOException e) {
            throw invalid("cannot read identity PEM files " + keyPem + ", " + certChainPem, e);
        }
    }

    /** Like {@link #fromPem(Path, Path)} from streams; the streams are read fully but not closed. */
    public static Identity fromPem(InputStream keyPem, InputStream certChainPem) {
        try {
            PrivateKey key = readPkcs8(new String(keyPem.readAllBytes(), StandardCharsets.US_ASCII));
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : cf.generateCertificates(certChainPem)) {
                chain.add((X509Certificate) c);
            }
            return of(key, chain);
        } catch (IOException | GeneralSecurityException e) {
            throw invalid("cannot parse identity PEM: " + e.getMessage(), e);
        }
    }

    /** The private key. Never logged or printed by taps. */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The certificate chain, leaf first. */
    public List<X509Certificate> certificateChain() {
        return certificateChain;
    }

    /** The leaf certificate. */
    public X509Certificate certificate() {
        return certificateChain.get(0);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Identity)) {
            return false;
        }
        Identity other = (Identity) o;
        return certificateChain.equals(other.certificateChain) && sameKey(privateKey, other.privateKey);
    }

    @Override
    public int hashCode() {
        // The chain determines the key (it was checked to match), so the key is left out of the hash.
        return certificateChain.hashCode();
    }

    @Override
    public String toString() {
        return "Identity[subject=" + certificate().getSubjectX500Principal().getName()
                + ", keyAlgorithm=" + privateKey.getAlgorithm() + ", chainLength=" + certificateChain.size() + "]";
    }

    private static boolean sameKey(PrivateKey a, PrivateKey b) {
        if (a.equals(b)) {
            return true;
        }
        byte[] ea = a.getEncoded();
        byte[] eb = b.getEncoded();
        return ea != null && eb != null && java.security.MessageDigest.isEqual(ea, eb);
    }

    private static void checkKeyMatches(PrivateKey key, X509Certificate leaf) {
        PublicKey pub = leaf.getPublicKey();
        String keyAlg = normalizeAlgorithm(key.getAlgorithm());
        String pubAlg = normalizeAlgorithm(pub.getAlgorithm());
        if (!keyAlg.equals(pubAlg)) {
            throw invalid("identity private key (" + key.getAlgorithm() + ") does not match certificate "
                    + leaf.getSubjectX500Principal().getName() + " (" + pub.getAlgorithm() + ")", null);
        }
        if (key instanceof RSAKey && pub instanceof RSAKey) {
            if (!((RSAKey) key).getModulus().equals(((RSAKey) pub).getModulus())) {
                throw mismatch(leaf, null);
            }
            return;
        }
        // No algorithm-neutral way to compare the halves of a key pair exists, so prove possession:
        // a signature made with the private key must verify with the certificate's public key.
        String sigAlg = signatureAlgorithm(keyAlg);
        if (sigAlg == null) {
            return; // unknown algorithm (e.g. a hardware key type): the handshake will tell
        }
        try {
            Signature signer = Signature.getInstance(sigAlg);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(sigAlg);
            verifier.initVerify(pub);
            verifier.update(PROBE);
            if (!verifier.verify(sig)) {
                throw mismatch(leaf, null);
            }
        } catch (GeneralSecurityException e) {
            throw mismatch(leaf, e);
        }
    }

    private static TransportServicesException mismatch(X509Certificate leaf, Throwable cause) {
        return invalid("identity private key does not match the public key of certificate "
                + leaf.getSubjectX500Principal().getName(), cause);
    }

    private static String normalizeAlgorithm(String alg) {
        switch (alg) {
            case "ECDSA":
                return "EC";
            case "Ed25519":
            case "Ed448":
                return "EdDSA";
            default:
                return alg;
        }
    }

    private static String signatureAlgorithm(String normalizedKeyAlg) {
        switch (normalizedKeyAlg) {
            case "EC":
                return "SHA256withECDSA";
            case "EdDSA":
                return "EdDSA";
            case "DSA":
                return "SHA256withDSA";
            default:
                return null;
        }
    }

    private static PrivateKey readPkcs8(String pem) throws GeneralSecurityException {
        if (pem.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
            throw invalid("encrypted PKCS#8 keys are not supported; decrypt the key first", null);
        }
        if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")) {
            throw invalid("PKCS#1/SEC1 keys are not supported; convert to PKCS#8 (BEGIN PRIVATE KEY), "
                    + "e.g. with 'openssl pkcs8 -topk8 -nocrypt'", null);
        }
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw invalid("no PKCS#8 private key (BEGIN PRIVATE KEY) found in PEM", null);
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw invalid("private key PEM is not valid base64", e);
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String alg : new String[] {"RSA", "EC", "EdDSA", "RSASSA-PSS", "DSA", "XDH"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException ignored) {
                // the PKCS#8 envelope does not say which factory to use; try the next one
            }
        }
        throw invalid("unsupported private key algorithm in PKCS#8 PEM", null);
    }

    private static TransportServicesException invalid(String message, Throwable cause) {
        return new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, message, cause);
    }
}

package io.taps;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * The short-term credential of one side of a Rendezvous (RFC 9622 §7.3): an ICE username fragment
 * and password (RFC 8445 §5.3, §16.1) that the application sends to its peer over its own signalling
 * channel together with the candidates {@link Preconnection#resolve()} returned. Every connectivity
 * check carries the pair's USERNAME and a MESSAGE-INTEGRITY keyed with the receiver's password
 * (RFC 8489 §9.1), so only the peer that got these values over signalling can answer or nominate a
 * candidate pair. RFC 9622 leaves the exchange to the application; taps keeps the ICE values.
 *
 * @param usernameFragment at least 4 ICE characters ({@code A-Z a-z 0-9 + /})
 * @param password at least 22 ICE characters (128 bits of randomness when generated)
 */
public record RendezvousCredentials(String usernameFragment, String password) {
    private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Checks the lengths and the character set of RFC 8445 §16.1 / RFC 8839 §5.4.
     *
     * @throws TransportServicesException InvalidConfiguration when a value is too short, too long
     *     (ufrag over 32, password over 256 characters) or has other characters
     */
    public RendezvousCredentials {
        Objects.requireNonNull(usernameFragment, "usernameFragment");
        Objects.requireNonNull(password, "password");
        check("username fragment", usernameFragment, 4, 32);
        check("password", password, 22, 256);
    }

    /** Fresh random credentials: a 4-character fragment with 24 bits and a 22-character password with 128 bits. */
    public static RendezvousCredentials random() {
        return new RendezvousCredentials(randomChars(8), randomChars(24));
    }

    /** The fragment and password as one token, {@code ufrag:password}, for signalling; see {@link #parse}. */
    @Override
    public String toString() {
        return usernameFragment + ":" + password;
    }

    /** Parses {@link #toString()}'s form. */
    public static RendezvousCredentials parse(String token) {
        int colon = token.indexOf(':');
        if (colon < 0) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION,
                    "rendezvous credentials are ufrag:password, got no ':'");
        }
        return new RendezvousCredentials(token.substring(0, colon), token.substring(colon + 1));
    }

    private static String randomChars(int count) {
        StringBuilder out = new StringBuilder(count);
        for (int i = 0; i < count; i++) {
            out.append(ICE_CHARS.charAt(RANDOM.nextInt(ICE_CHARS.length())));
        }
        return out.toString();
    }

    private static void check(String what, String value, int min, int max) {
        if (value.length() < min || value.length() > max) {
            throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, "ICE " + what + " must have "
                    + min + ".." + max + " characters (RFC 8445 §16.1), got " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            if (ICE_CHARS.indexOf(value.charAt(i)) < 0) {
                throw new TransportServicesException(ErrorReason.INVALID_CONFIGURATION, "ICE " + what
                        + " may hold only A-Z a-z 0-9 + / (RFC 8445 §16.1), got '" + value.charAt(i) + "'");
            }
        }
    }
}

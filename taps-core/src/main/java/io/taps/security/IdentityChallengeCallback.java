package io.taps.security;

import java.util.Optional;

/**
 * Chooses the local identity to present when the peer asks for one, in practice a client
 * certificate requested by a server (RFC 9622 §6.3.2 identity challenge callback; checklist SEC-11,
 * SEC-02, SEC-14).
 *
 * <p>Returning {@link Optional#empty()} falls back to the default choice among the identities
 * configured with {@link SecurityParameters.Builder#identity(Identity)} (the first one whose key type
 * the peer accepts); with none configured, no certificate is sent. A returned identity is used only
 * for the handshake that asked for it (SEC-14), never for server authentication.
 *
 * <p><b>Threading.</b> The callback blocks the handshake and runs on the connection's Netty event loop;
 * it must return quickly and must not block. Keys returned to the BoringSSL provider must be
 * extractable ({@code PrivateKey.getEncoded() != null}).
 */
@FunctionalInterface
public interface IdentityChallengeCallback {
    /** Returns the identity to present for {@code challenge}, or empty for the default choice. */
    Optional<Identity> select(IdentityChallenge challenge);
}

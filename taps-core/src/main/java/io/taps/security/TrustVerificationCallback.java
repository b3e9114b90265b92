package io.taps.security;

/**
 * Decides whether a peer's certificate chain is trusted (RFC 9622 §6.3.1: "the trust verification
 * callback is invoked when a Remote Endpoint's trust must be verified before the handshake
 * completes"; checklist SEC-10, O-11).
 *
 * <p>The callback has the last word over the default X.509 verification (RFC 5280 path validation
 * plus hostname verification): {@link TrustDecision#ACCEPT} admits a chain the default rejected,
 * {@link TrustDecision#REJECT} fails a chain the default accepted. Certificate pinning
 * ({@link SecurityParameters.Builder#pinnedServerCertificates}) is checked before the callback and
 * cannot be overridden by it. A callback that throws, or returns {@code null}, rejects.
 *
 * <p><b>Threading.</b> The callback blocks the handshake and runs on the connection's Netty event
 * loop, which also serves other connections. It must return quickly and must not block (no network
 * or disk I/O, no waiting on locks held elsewhere). It is called once per full handshake; a resumed
 * TLS session is not verified again, because it was already accepted by the same callback (session
 * caches are per {@link SecurityParameters} value, which includes the callback's identity).
 */
@FunctionalInterface
public interface TrustVerificationCallback {
    /** Returns the trust decision for the peer described by {@code request}. */
    TrustDecision verify(TrustVerificationRequest request);
}

package io.taps.internal.quic;

import io.taps.internal.security.QuicSslContexts;
import io.taps.internal.stack.StackKind;
import io.taps.internal.stack.TapsAttempt;
import io.taps.internal.stack.TapsBinding;
import io.taps.properties.Role;
import io.taps.security.SecurityLevel;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackAttempt;
import io.taps.spi.StackBinding;
import io.taps.spi.StackCapabilities;
import io.taps.spi.StackListener;
import io.taps.spi.StackUse;
import java.util.Optional;

/**
 * QUIC (RFC 9000, RFC 9623 §10.6) as a {@link ProtocolStack} (design.md ): Netty's QUIC
 * codec over a UDP socket, every bidirectional stream one Connection, the streams of one QUIC
 * connection one Connection Group; clones open new streams of the same connection. TLS 1.3 only
 * (RFC 9001) with the Preconnection's SecurityParameters, so QUIC races TLS/TCP only when TLS 1.3 is
 * the only version allowed (Q-17, see {@link StackCapabilities#tlsVersions()}).
 */
public final class QuicStack implements ProtocolStack {
    /** The one QUIC stack of taps. */
    public static final QuicStack INSTANCE = new QuicStack();

    private QuicStack() {
    }

    @Override
    public StackCapabilities capabilities() {
        return StackKind.QUIC.capabilities();
    }

    /** QUIC needs the native codec, an ALPN protocol and TLS 1.3 (RFC 9001 §8.1); it has no Rendezvous. */
    @Override
    public Optional<String> unusableReason(StackUse use) {
        if (!QuicAvailability.available()) {
            return Optional.of(QuicAvailability.unavailableReason());
        }
        if (use.role() == Role.RENDEZVOUS) {
            return Optional.of("taps offers no QUIC Rendezvous");
        }
        Optional<String> mismatch = QuicUses.unusableReason(use);
        if (mismatch.isPresent()) {
            return mismatch;
        }
        if (use.security().level() == SecurityLevel.DISABLED) {
            return Optional.empty(); // selection removes every secure stack and says so
        }
        return Optional.ofNullable(QuicSslContexts.unusableReason(use.security()));
    }

    /**
     * A QUIC Listener's TLS context is built (and cached) at Listen, on the caller's thread: a bad
     * identity fails Listen, and binding finds the context cached instead of building it on a loop.
     */
    @Override
    public void validate(StackUse use) {
        if (use.role() == Role.LISTEN && use.security().level() != SecurityLevel.DISABLED
                && QuicSslContexts.unusableReason(use.security()) == null) {
            QuicSslContexts.forServer(use.security());
        }
    }

    @Override
    public void connect(StackAttempt attempt) {
        TapsAttempt internal = TapsAttempt.of(attempt);
        new QuicConnector(internal.environment()).connect(internal);
    }

    @Override
    public StackListener listen(StackBinding binding) {
        TapsBinding internal = TapsBinding.of(binding);
        QuicSockets sockets = new QuicSockets(internal.group(), internal.environment().transport(),
                binding.use().security(), internal.properties(), internal.environment().eventExecutor(),
                internal.framers(), internal::offer, internal::rejected);
        sockets.bind(binding.addresses()).whenComplete((bound, failure) -> {
            if (failure != null) {
                binding.fail(failure);
                return;
            }
            if (internal.isStopping()) {
                sockets.close(() -> { });
            }
            binding.bound(bound);
        });
        return sockets;
    }

    /**
     * A record's alpn id names QUIC when the application offers exactly that id: QUIC always
     * negotiates ALPN (RFC 9001 §8.1), so "h3" in an HTTPS record speaks to an application offering
     * "h3", and an application protocol listed by its own id means the service runs it over QUIC.
     * The HTTP ids registered for TCP ("http/1.1", "h2", RFC 9113 §3.2) never name QUIC.
     */
    @Override
    public boolean speaksServiceAlpn(String alpnId, java.util.List<String> applicationAlpn) {
        return applicationAlpn.contains(alpnId) && !TCP_ONLY_ALPN.contains(alpnId);
    }

    private static final java.util.Set<String> TCP_ONLY_ALPN = java.util.Set.of("http/1.1", "http/1.0", "h2", "h2c");

    @Override
    public String portSpace() {
        return "udp";
    }

    @Override
    public String toString() {
        return capabilities().name();
    }
}

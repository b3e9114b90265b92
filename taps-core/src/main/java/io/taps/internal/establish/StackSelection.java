package io.taps.internal.establish;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.quic.QuicAvailability;
import io.taps.internal.security.QuicSslContexts;
import io.taps.internal.selection.CandidateSelector;
import io.taps.internal.selection.RankedStack;
import io.taps.internal.selection.SecurityMode;
import io.taps.internal.stack.StackKind;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.security.SecurityLevel;
import io.taps.security.TlsVersion;
import io.taps.spi.StackCapabilities;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses the protocol stacks a Preconnection may use, before anything is sent (SEL-04): the
 * property-driven selection of {@link CandidateSelector} plus the rules that depend on the
 * Preconnection as a whole rather than on one property.
 */
public final class StackSelection {
    private StackSelection() {
    }

    /** Every eligible stack, best first; throws NoCandidates or InvalidConfiguration. */
    public static List<StackKind> rank(PreconnectionSpec spec, Role role) {
        List<StackKind> kinds = new ArrayList<>();
        for (RankedStack candidate : ranked(spec, role)) {
            kinds.add(StackKind.of(candidate.stack()));
        }
        return kinds;
    }

    /**
     * The stacks an Initiate races (RFC 9623 §4.1.3, design.md Q-2), best first: every eligible
     * stack with the best stack's security. Prefer and Avoid only order them (RFC 9622 §6.2: a
     * preference is never a reason to fail when a stack that meets every requirement is left), so a
     * lower-ranked stack is tried after the better ones, one protocol delay later or as soon as
     * they have failed. A secure and a cleartext stack never race (C-08, Q-17), so a secure request
     * never ends on a cleartext connection.
     */
    public static List<StackKind> raceable(PreconnectionSpec spec, Role role) {
        List<RankedStack> ranked = ranked(spec, role);
        boolean secure = ranked.get(0).stack().secure();
        List<StackKind> kinds = new ArrayList<>();
        for (RankedStack candidate : ranked) {
            if (candidate.stack().secure() == secure) {
                kinds.add(StackKind.of(candidate.stack()));
            }
        }
        return kinds;
    }

    private static List<RankedStack> ranked(PreconnectionSpec spec, Role role) {
        List<StackCapabilities> available = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (StackKind kind : StackKind.values()) {
            // RFC 9622 §9.1.3.4: a stack that may duplicate messages is chosen only when the
            // application marked its messages safelyReplayable in the Transport Properties.
            if (kind.datagram() && !spec.properties().messageDefaults().get(Property.SAFELY_REPLAYABLE)) {
                removed.add(kind.capabilities().name() + " removed because messages are not safelyReplayable"
                        + " (RFC 9622 §9.1.3.4; use TransportProperties.unreliableDatagram() or safelyReplayable(true))");
                continue;
            }
            if (kind.quic()) {
                String unusable = quicUnusable(spec, role);
                if (unusable != null) {
                    removed.add("QUIC removed because " + unusable);
                    continue;
                }
            }
            available.add(kind.capabilities());
        }
        List<RankedStack> ranked;
        try {
            // with a framer, a byte-stream stack counts as preserving message boundaries.
            ranked = CandidateSelector.select(spec.properties(), role, securityMode(spec.security().level()),
                    !spec.framers().isEmpty(), available);
        } catch (TransportServicesException noneLeft) {
            if (noneLeft.reason() == ErrorReason.NO_CANDIDATES && !removed.isEmpty()) {
                throw new TransportServicesException(ErrorReason.NO_CANDIDATES,
                        noneLeft.getMessage() + "; " + String.join("; ", removed), noneLeft);
            }
            throw noneLeft;
        }
        return withEqualSecurity(ranked, spec);
    }

    /** Why QUIC cannot serve this Preconnection at all, or null. */
    private static String quicUnusable(PreconnectionSpec spec, Role role) {
        if (!QuicAvailability.available()) {
            return QuicAvailability.unavailableReason();
        }
        if (role == Role.RENDEZVOUS) {
            return "taps offers no QUIC Rendezvous";
        }
        if (spec.security().level() == SecurityLevel.DISABLED) {
            return null; // the selector removes every secure stack and says so
        }
        return QuicSslContexts.unusableReason(spec.security());
    }

    /**
     * Q-17, only stacks with identical security race: QUIC always negotiates TLS 1.3, TLS/TCP may
     * negotiate TLS 1.2 when the SecurityParameters allow it. Then a race of the two could end on an
     * older TLS version than its other branch, so QUIC stays out while TLS/TCP (which meets every
     * allowed version) is a candidate. With TLS 1.3 as the only allowed version both have identical
     * security and both stay; when TLS/TCP is not a candidate (e.g. multistreaming=Require) QUIC
     * alone races nothing and stays.
     */
    private static List<RankedStack> withEqualSecurity(List<RankedStack> ranked, PreconnectionSpec spec) {
        boolean quic = false;
        boolean tls = false;
        for (RankedStack candidate : ranked) {
            quic |= candidate.stack() == StackKind.QUIC.capabilities();
            tls |= candidate.stack() == StackKind.TLS_TCP.capabilities();
        }
        if (!quic || !tls || !spec.security().allowedProtocols().contains(TlsVersion.TLS_1_2)) {
            return ranked;
        }
        List<RankedStack> kept = new ArrayList<>(ranked);
        kept.removeIf(candidate -> candidate.stack() == StackKind.QUIC.capabilities());
        return List.copyOf(kept);
    }

    /** The best stack (a Listener uses one). */
    public static StackKind choose(PreconnectionSpec spec, Role role) {
        return rank(spec, role).get(0);
    }

    static SecurityMode securityMode(SecurityLevel level) {
        switch (level) {
            case REQUIRED:
                return SecurityMode.REQUIRED;
            case OPPORTUNISTIC:
                return SecurityMode.OPPORTUNISTIC;
            default:
                return SecurityMode.DISABLED;
        }
    }
}

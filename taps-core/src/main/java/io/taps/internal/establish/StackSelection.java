package io.taps.internal.establish;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.internal.PreconnectionSpec;
import io.taps.internal.selection.CandidateSelector;
import io.taps.internal.selection.RankedStack;
import io.taps.internal.selection.SecurityMode;
import io.taps.properties.Role;
import io.taps.security.SecurityLevel;
import io.taps.security.TlsVersion;
import io.taps.spi.ProtocolStack;
import io.taps.spi.StackCapabilities;
import io.taps.spi.StackUse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the protocol stacks a Preconnection may use, before anything is sent (RFC 9623 §4.1.3,
 * SEL-04): the registered stacks (registration order breaks ranking ties, C-18), narrowed to the
 * ones that claim the Preconnection when any does, without those that declare it unusable, then
 * the property-driven selection of {@link CandidateSelector}, then equal security among the secure
 * ones (design.md Q-17). It asks the stacks only through the protocol SPI.
 */
public final class StackSelection {
    private StackSelection() {
    }

    /** Every eligible stack, best first; throws NoCandidates or InvalidConfiguration. */
    public static List<ProtocolStack> rank(PreconnectionSpec spec, Role role, List<ProtocolStack> registered) {
        return ranked(spec, role, registered);
    }

    /**
     * The stacks an Initiate races (RFC 9623 §4.1.3, design.md Q-2), best first: every eligible
     * stack with the best stack's security. Prefer and Avoid only order them (RFC 9622 §6.2: a
     * preference is never a reason to fail when a stack that meets every requirement is left), so a
     * lower-ranked stack is tried after the better ones, one protocol delay later or as soon as
     * they have failed. A secure and a cleartext stack never race (C-08, Q-17), so a secure request
     * never ends on a cleartext connection. Opportunistic security (RFC 9622 §6.3) is the one
     * exception: the cleartext stacks follow the secure ones as failover branches, which the race
     * starts only once every secure attempt has failed ({@link #failoverOnly}).
     */
    public static List<ProtocolStack> raceable(PreconnectionSpec spec, Role role, List<ProtocolStack> registered) {
        List<ProtocolStack> ranked = ranked(spec, role, registered);
        if (spec.security().level() == SecurityLevel.OPPORTUNISTIC) {
            return ranked; // CandidateSelector already put every secure stack first
        }
        boolean secure = ranked.get(0).capabilities().secure();
        List<ProtocolStack> kept = new ArrayList<>();
        for (ProtocolStack candidate : ranked) {
            if (candidate.capabilities().secure() == secure) {
                kept.add(candidate);
            }
        }
        return kept;
    }

    /**
     * Whether attempts on {@code stack} may only start once every secure attempt failed: the
     * cleartext failover of opportunistic security (RFC 9622 §6.3), so that cleartext can never win
     * a race against a TLS handshake that is merely slower.
     */
    public static boolean failoverOnly(PreconnectionSpec spec, ProtocolStack stack) {
        return spec.security().level() == SecurityLevel.OPPORTUNISTIC && !stack.capabilities().secure();
    }

    /**
     * The stacks a Listener listens on (RFC 9622 §7.2, design.md Q-15): {@link #rank}'s list cut to
     * its first stack of each port space, in rank order, with the same errors. A stack that a
     * better-ranked usable stack of its port space shadows is never asked
     * {@link ProtocolStack#unusableReason}: a TCP Listener does not load MPTCP's native library to
     * learn whether the MPTCP stack behind TCP could have run (issue 21). Secure stacks that can
     * negotiate an allowed TLS version are all asked, because equal security compares every
     * usable one.
     */
    public static List<ProtocolStack> listening(PreconnectionSpec spec, List<ProtocolStack> registered) {
        StackUse use = spec.use(Role.LISTEN);
        List<ProtocolStack> selected = selected(spec, Role.LISTEN, registered);
        if (selected == null) {
            return onePerPortSpace(eagerlyRanked(spec, Role.LISTEN, registered));
        }
        Set<TlsVersion> allowed = spec.security().allowedProtocols();
        List<ProtocolStack> comparedSecurity = new ArrayList<>();
        Set<ProtocolStack> unusable = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (ProtocolStack stack : selected) {
            if (!negotiable(stack, allowed).isEmpty()) {
                if (stack.unusableReason(use).isPresent()) {
                    unusable.add(stack);
                } else {
                    comparedSecurity.add(stack);
                }
            }
        }
        List<ProtocolStack> equalSecurity = withEqualSecurity(comparedSecurity, allowed);
        Set<String> taken = new java.util.HashSet<>();
        List<ProtocolStack> listening = new ArrayList<>();
        for (ProtocolStack stack : selected) {
            if (taken.contains(stack.portSpace()) || unusable.contains(stack)) {
                continue;
            }
            boolean usable = comparedSecurity.contains(stack) ? equalSecurity.contains(stack)
                    : stack.unusableReason(use).isEmpty();
            if (usable) {
                taken.add(stack.portSpace());
                listening.add(stack);
            }
        }
        // None usable: the eager path fails with the message naming why each stack was removed.
        return listening.isEmpty() ? onePerPortSpace(eagerlyRanked(spec, Role.LISTEN, registered))
                : List.copyOf(listening);
    }

    /** The first stack of each port space, in the order given. */
    static List<ProtocolStack> onePerPortSpace(List<ProtocolStack> ranked) {
        Set<String> taken = new java.util.HashSet<>();
        List<ProtocolStack> kept = new ArrayList<>();
        for (ProtocolStack stack : ranked) {
            if (taken.add(stack.portSpace())) {
                kept.add(stack);
            }
        }
        return List.copyOf(kept);
    }

    /** The stack that takes {@code spec} alone (RFC 9623 §10.5 multicast), or null. */
    public static ProtocolStack claimant(PreconnectionSpec spec, Role role, List<ProtocolStack> registered) {
        StackUse use = spec.use(role);
        for (ProtocolStack stack : registered) {
            if (stack.claims(use)) {
                return stack;
            }
        }
        return null;
    }

    /**
     * The eligible stacks, best first. Only the stacks that selection keeps are asked whether they
     * are usable, so a stack the properties rule out loads nothing (QUIC's native codec for a
     * cleartext Connection, issue 21). Selection filters and orders each stack on its own, so
     * leaving out the unusable stacks after selecting gives the list selecting among the usable
     * ones gives; when none is left, the eager path fails with the same message as always.
     */
    private static List<ProtocolStack> ranked(PreconnectionSpec spec, Role role, List<ProtocolStack> registered) {
        List<ProtocolStack> selected = selected(spec, role, registered);
        if (selected == null) {
            return eagerlyRanked(spec, role, registered);
        }
        StackUse use = spec.use(role);
        List<ProtocolStack> usable = new ArrayList<>();
        for (ProtocolStack stack : selected) {
            if (stack.unusableReason(use).isEmpty()) {
                usable.add(stack);
            }
        }
        return usable.isEmpty() ? eagerlyRanked(spec, role, registered)
                : withEqualSecurity(usable, spec.security().allowedProtocols());
    }

    /** What selection keeps of every candidate stack, best first, none asked whether usable; null when none is kept. */
    private static List<ProtocolStack> selected(PreconnectionSpec spec, Role role, List<ProtocolStack> registered) {
        Map<StackCapabilities, ProtocolStack> byCapabilities = new IdentityHashMap<>();
        List<StackCapabilities> all = new ArrayList<>();
        for (ProtocolStack stack : candidates(spec, role, registered)) {
            byCapabilities.put(stack.capabilities(), stack);
            all.add(stack.capabilities());
        }
        List<RankedStack> ranked;
        try {
            ranked = CandidateSelector.select(spec.properties(), role, securityMode(spec.security().level()),
                    spec.use(role).framed(), all);
        } catch (TransportServicesException noneLeft) {
            return null;
        }
        List<ProtocolStack> stacks = new ArrayList<>();
        for (RankedStack candidate : ranked) {
            stacks.add(byCapabilities.get(candidate.stack()));
        }
        return stacks;
    }

    /** The claimant alone when one claims the Preconnection, else every stack that does not only claim. */
    private static List<ProtocolStack> candidates(PreconnectionSpec spec, Role role, List<ProtocolStack> registered) {
        ProtocolStack claimant = claimant(spec, role, registered);
        List<ProtocolStack> candidates = new ArrayList<>();
        if (claimant != null) {
            candidates.add(claimant);
        } else {
            registered.stream().filter(stack -> !stack.claimsOnly()).forEach(candidates::add);
        }
        return candidates;
    }

    /** Every candidate asked whether it is usable, then selection among the usable: the reference, and the errors' source. */
    private static List<ProtocolStack> eagerlyRanked(PreconnectionSpec spec, Role role, List<ProtocolStack> registered) {
        StackUse use = spec.use(role);
        List<ProtocolStack> candidates = candidates(spec, role, registered);
        Map<StackCapabilities, ProtocolStack> byCapabilities = new IdentityHashMap<>();
        List<StackCapabilities> available = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (ProtocolStack stack : candidates) {
            String unusable = stack.unusableReason(use).orElse(null);
            if (unusable != null) {
                removed.add(stack.capabilities().name() + " removed because " + unusable);
                continue;
            }
            byCapabilities.put(stack.capabilities(), stack);
            available.add(stack.capabilities());
        }
        List<RankedStack> ranked;
        try {
            // with a framer, a byte-stream stack counts as preserving message boundaries.
            ranked = CandidateSelector.select(spec.properties(), role, securityMode(spec.security().level()),
                    use.framed(), available);
        } catch (TransportServicesException noneLeft) {
            if (noneLeft.reason() == ErrorReason.NO_CANDIDATES && !removed.isEmpty()) {
                throw new TransportServicesException(ErrorReason.NO_CANDIDATES,
                        noneLeft.getMessage() + "; " + String.join("; ", removed), noneLeft);
            }
            throw noneLeft;
        }
        List<ProtocolStack> stacks = new ArrayList<>();
        for (RankedStack candidate : ranked) {
            stacks.add(byCapabilities.get(candidate.stack()));
        }
        return withEqualSecurity(stacks, spec.security().allowedProtocols());
    }

    /**
     * Q-17, only stacks with identical security race: a secure stack that can negotiate only some of
     * the allowed TLS versions (QUIC: TLS 1.3 only) could end a race on a different version than
     * the one that can negotiate them all (TLS/TCP with TLS 1.2 allowed). So while a secure stack
     * meets every version the others can, the narrower ones stay out; with TLS 1.3 as the only
     * allowed version QUIC and TLS/TCP have identical security and both stay; a narrower stack
     * alone (e.g. multistreaming=Require) races nothing and stays. Stacks that declare no versions
     * are not compared.
     */
    static List<ProtocolStack> withEqualSecurity(List<ProtocolStack> ranked, Set<TlsVersion> allowed) {
        Set<TlsVersion> widest = EnumSet.noneOf(TlsVersion.class);
        for (ProtocolStack stack : ranked) {
            widest.addAll(negotiable(stack, allowed));
        }
        boolean someMeetsAll = false;
        for (ProtocolStack stack : ranked) {
            someMeetsAll |= !widest.isEmpty() && negotiable(stack, allowed).equals(widest);
        }
        if (!someMeetsAll) {
            return List.copyOf(ranked);
        }
        List<ProtocolStack> kept = new ArrayList<>();
        for (ProtocolStack stack : ranked) {
            Set<TlsVersion> versions = negotiable(stack, allowed);
            if (versions.isEmpty() || versions.equals(widest)) {
                kept.add(stack);
            }
        }
        return List.copyOf(kept);
    }

    private static Set<TlsVersion> negotiable(ProtocolStack stack, Set<TlsVersion> allowed) {
        StackCapabilities capabilities = stack.capabilities();
        if (!capabilities.secure() || capabilities.tlsVersions().isEmpty()) {
            return EnumSet.noneOf(TlsVersion.class);
        }
        Set<TlsVersion> versions = EnumSet.copyOf(capabilities.tlsVersions());
        versions.retainAll(allowed);
        return versions;
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

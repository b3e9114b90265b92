package io.taps.internal.selection;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.MultipathMode;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.PropertyKind;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import io.taps.spi.StackCapabilities;
import io.taps.spi.Support;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses and orders the protocol stacks a Preconnection may race, as a pure function of its
 * Selection Properties (RFC 9622 §6.2, RFC 9623 §4.1.3). Same inputs, same output (C-18).
 *
 * <p>Procedure (SEL-02):
 * <ol>
 *   <li>Contradictory properties fail first with InvalidConfiguration ({@link SelectionConsistency},
 *       SEL-04b), before any stack is looked at.</li>
 *   <li>Security (C-08, Q-17): {@link SecurityMode#REQUIRED} keeps only secure stacks,
 *       {@link SecurityMode#DISABLED} only insecure ones; {@link SecurityMode#OPPORTUNISTIC} keeps
 *       both and ranks secure stacks first, so an insecure stack can only win a race when security is
 *       optional.</li>
 *   <li>Prohibit removes every stack that provides the property {@link Support#ALWAYS}; then Require
 *       removes every stack that {@link Support#NEVER} provides it (SEL-01).</li>
 *   <li>The rest are ordered by how many Prefer properties they can provide (support is not NEVER),
 *       then by how many Avoid properties they can do without (support is not ALWAYS), and otherwise
 *       keep the input order.</li>
 * </ol>
 * With a framer, a byte-stream stack counts as preserving message boundaries. The path
 * properties {@code interface} and {@code pvd} do not select stacks (SEL-03; path selection happens
 * during gathering and racing; a pvd Require or Prohibit fails at once, {@link PathSelectionSupport}),
 * {@code direction} is satisfiable by every stack, and
 * {@code multipath=ACTIVE} (or an explicit PASSIVE on a Listener) and {@code advertisesAltaddr=true} act as Prefer. {@code activeReadBeforeSend}
 * is ignored for Rendezvous (RFC 9622 §6.2.18). When no stack is left, NoCandidates names, per
 * stack, the first rule that removed it (SEL-04a).
 */
public final class CandidateSelector {
    private CandidateSelector() {
    }

    /**
     * The stacks of {@code available} that satisfy {@code props}, best first.
     *
     * @throws TransportServicesException INVALID_CONFIGURATION for contradictory properties,
     *         NO_CANDIDATES when no stack is left
     */
    public static List<RankedStack> select(TransportProperties props, Role role, SecurityMode security,
            boolean hasFramer, List<StackCapabilities> available) {
        SelectionConsistency.check(props, role);
        PathSelectionSupport.check(props, role);

        List<Property<Preference>> preferences = preferenceProperties(role);
        List<RankedStack> kept = new ArrayList<>();
        List<String> removals = new ArrayList<>();
        for (StackCapabilities declared : available) {
            StackCapabilities stack = hasFramer ? declared.withFramer() : declared;
            String reason = removalReason(stack, props, role, security, preferences);
            if (reason != null) {
                removals.add(declared.name() + " removed by " + reason);
                continue;
            }
            kept.add(score(declared, stack, props, role, preferences));
        }
        if (kept.isEmpty()) {
            String detail = available.isEmpty() ? "no protocol stack is available" : String.join("; ", removals);
            throw new TransportServicesException(ErrorReason.NO_CANDIDATES,
                    "no protocol stack satisfies the Selection Properties: " + detail);
        }
        Comparator<RankedStack> order = Comparator.comparingInt(RankedStack::preferScore).reversed()
                .thenComparing(Comparator.comparingInt(RankedStack::avoidScore).reversed());
        if (security == SecurityMode.OPPORTUNISTIC) {
            order = Comparator.comparing((RankedStack r) -> !r.stack().secure()).thenComparing(order);
        }
        kept.sort(order); // List.sort is stable: ties keep the input order (C-18)
        return List.copyOf(kept);
    }

    /** The preference-valued Selection Properties, computed once per kind of role (Rendezvous differs). */
    private static final List<Property<Preference>> PREFERENCES = computePreferences(Role.INITIATE);
    private static final List<Property<Preference>> RENDEZVOUS_PREFERENCES = computePreferences(Role.RENDEZVOUS);

    private static List<Property<Preference>> preferenceProperties(Role role) {
        return role == Role.RENDEZVOUS ? RENDEZVOUS_PREFERENCES : PREFERENCES;
    }

    @SuppressWarnings("unchecked")
    private static List<Property<Preference>> computePreferences(Role role) {
        List<Property<Preference>> out = new ArrayList<>();
        for (Property<?> p : Property.ofKind(PropertyKind.SELECTION)) {
            if (p.isPreference() && !(role == Role.RENDEZVOUS && p == Property.ACTIVE_READ_BEFORE_SEND)) {
                out.add((Property<Preference>) p);
            }
        }
        return List.copyOf(out);
    }

    private static String removalReason(StackCapabilities stack, TransportProperties props, Role role,
            SecurityMode security, List<Property<Preference>> preferences) {
        if (security == SecurityMode.REQUIRED && !stack.secure()) {
            return "security=REQUIRED (stack is not secure)";
        }
        if (security == SecurityMode.DISABLED && stack.secure()) {
            return "security=DISABLED (stack is secure)";
        }
        for (Property<Preference> p : preferences) {
            if (props.get(p, role) == Preference.PROHIBIT && stack.support(p) == Support.ALWAYS) {
                return p.name() + "=PROHIBIT";
            }
        }
        for (Property<Preference> p : preferences) {
            if (props.get(p, role) == Preference.REQUIRE && stack.support(p) == Support.NEVER) {
                return p.name() + "=REQUIRE";
            }
        }
        return null;
    }

    /**
     * multipath Active, or Passive set explicitly on a Listener, ranks a multipath stack first (so a
     * Listener that asks for Passive listens on MPTCP, which accepts plain TCP clients too). The
     * implicit Passive default of a Listener does not: its stack and sockets stay those of plain TCP
     * unless the application asks (docs/multipath.md).
     */
    private static boolean wantsMultipath(TransportProperties props, Role role) {
        MultipathMode mode = props.get(Property.MULTIPATH, role);
        return mode == MultipathMode.ACTIVE
                || (mode == MultipathMode.PASSIVE && role == Role.LISTEN && props.isSet(Property.MULTIPATH));
    }

    private static RankedStack score(StackCapabilities declared, StackCapabilities stack, TransportProperties props,
            Role role, List<Property<Preference>> preferences) {
        int prefer = 0;
        int avoid = 0;
        for (Property<Preference> p : preferences) {
            Preference level = props.get(p, role);
            if (level == Preference.PREFER && stack.support(p) != Support.NEVER) {
                prefer++;
            } else if (level == Preference.AVOID && stack.support(p) != Support.ALWAYS) {
                avoid++;
            }
        }
        if (wantsMultipath(props, role) && stack.support(Property.MULTIPATH) != Support.NEVER) {
            prefer++;
        }
        if (props.get(Property.ADVERTISES_ALTADDR, role) && stack.support(Property.ADVERTISES_ALTADDR) != Support.NEVER) {
            prefer++;
        }
        return new RankedStack(declared, prefer, avoid);
    }
}

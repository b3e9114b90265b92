package io.taps.internal.selection;

import io.taps.ErrorReason;
import io.taps.TransportServicesException;
import io.taps.properties.NamedPreferences;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The path Selection Properties taps cannot act on (RFC 9622 §6.2, SEL-04a): a Require or
 * Prohibit no path can be checked against fails with NoCandidates when the Preconnection is
 * initiated or listened, naming the property, instead of being ignored.
 *
 * <p>{@code pvd} (§6.2.12, RFC 7556/8801): Linux gives the JVM no Provisioning Domain of a path,
 * so taps can neither keep only the paths of a PvD nor keep one out; Prefer and Avoid only rank
 * and are ignored (the establishment report says so), and GetProperties reports no PvD applied.
 * {@code interface} (§6.2.11) is applied by candidate gathering, which fails a Require no
 * interface meets.
 */
final class PathSelectionSupport {
    private PathSelectionSupport() {
    }

    static void check(TransportProperties props, Role role) {
        NamedPreferences pvd = props.get(Property.PVD, role);
        List<String> binding = new ArrayList<>();
        for (Map.Entry<String, Preference> entry : pvd.asMap().entrySet()) {
            if (entry.getValue() == Preference.REQUIRE || entry.getValue() == Preference.PROHIBIT) {
                binding.add(entry.getKey() + "=" + entry.getValue());
            }
        }
        if (!binding.isEmpty()) {
            throw new TransportServicesException(ErrorReason.NO_CANDIDATES, "no path satisfies pvd " + binding
                    + ": Linux exposes no Provisioning Domain of a path to the JVM, so taps cannot require or"
                    + " prohibit one (RFC 9622 §6.2.12); use prefer or avoid, which are ignored");
        }
    }
}

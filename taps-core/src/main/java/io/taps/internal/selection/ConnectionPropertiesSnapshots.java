package io.taps.internal.selection;

import io.taps.properties.ConnectionProperties;
import io.taps.properties.ConnectionState;
import io.taps.properties.Direction;
import io.taps.properties.MultipathMode;
import io.taps.properties.NamedPreferences;
import io.taps.properties.Preference;
import io.taps.properties.Property;
import io.taps.properties.PropertyKind;
import io.taps.properties.Role;
import io.taps.properties.TransportProperties;
import io.taps.spi.StackCapabilities;
import io.taps.spi.Support;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds what {@code Connection.getProperties()} reports once a stack is chosen (RFC 9622 §8,
 * O-10, A-17, C-22).
 *
 * <ul>
 *   <li>Preference Selection Properties become Booleans (C-22): true when the chosen stack provides
 *       the feature ALWAYS, or OPTIONALLY and the application asked for it with Require or Prefer.
 *       Pass {@code chosen.withFramer()} when a framer is in use .</li>
 *   <li>{@code multipath}: the requested mode, or Disabled when the stack cannot do multipath.
 *       {@code advertisesAltaddr}: true only if requested and possible. {@code direction},
 *       {@code interface}: the configured value, which candidate gathering applied. {@code pvd}:
 *       empty, since no path is chosen by Provisioning Domain (PathSelectionSupport).</li>
 *   <li>Connection Properties: {@code current} value, else the explicit value, else the default for
 *       the role.</li>
 *   <li>Read-only properties: from {@code current}; when absent, connState Established and
 *       canSend/canReceive derived from {@code direction} (RO-02, RO-03), others their defaults.</li>
 * </ul>
 * Any entry of {@code current} wins, so the caller can report what the stack really did.
 */
public final class ConnectionPropertiesSnapshots {
    private ConnectionPropertiesSnapshots() {
    }

    /** The snapshot for an established Connection. */
    public static ConnectionProperties forEstablished(TransportProperties props, Role role, StackCapabilities chosen,
            Map<Property<?>, Object> current) {
        Map<Property<?>, Object> out = new LinkedHashMap<>();
        Direction direction = props.get(Property.DIRECTION, role);
        for (Property<?> p : Property.all()) {
            switch (p.kind()) {
                case SELECTION:
                    out.put(p, selectionValue(p, props, role, chosen));
                    break;
                case CONNECTION:
                    out.put(p, props.get(p, role));
                    break;
                case CONNECTION_READ_ONLY:
                    out.put(p, readOnlyDefault(p, direction));
                    break;
                default:
                    break; // Message Properties belong to Messages, not to the Connection snapshot.
            }
        }
        current.forEach((p, v) -> {
            if (p.kind() != PropertyKind.MESSAGE) {
                out.put(p, v);
            }
        });
        return ConnectionProperties.of(out);
    }

    private static Object selectionValue(Property<?> p, TransportProperties props, Role role,
            StackCapabilities chosen) {
        Support support = chosen.support(p);
        if (p.isPreference()) {
            Preference asked = (Preference) props.get(p, role);
            return support == Support.ALWAYS || (support == Support.OPTIONAL
                    && (asked == Preference.REQUIRE || asked == Preference.PREFER));
        }
        if (p == Property.MULTIPATH) {
            return support == Support.NEVER ? MultipathMode.DISABLED : props.get(Property.MULTIPATH, role);
        }
        if (p == Property.PVD) {
            // No path is chosen by Provisioning Domain (PathSelectionSupport): none was applied.
            return NamedPreferences.EMPTY;
        }
        if (p == Property.ADVERTISES_ALTADDR) {
            return props.get(Property.ADVERTISES_ALTADDR, role) && support != Support.NEVER;
        }
        return props.get(p, role);
    }

    private static Object readOnlyDefault(Property<?> p, Direction direction) {
        if (p == Property.CONN_STATE) {
            return ConnectionState.ESTABLISHED;
        }
        if (p == Property.CAN_SEND) {
            return direction.canSend();
        }
        if (p == Property.CAN_RECEIVE) {
            return direction.canReceive();
        }
        return p.defaultValue();
    }
}
